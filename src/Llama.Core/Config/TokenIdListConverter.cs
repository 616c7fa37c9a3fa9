using System.Text.Json;
using System.Text.Json.Serialization;

namespace Llama.Core.Config;

/// <summary>
/// <c>eos_token_id</c> is an int in Llama 3 base configs and a list in Llama 3.1 instruct configs
/// (<c>[128001, 128008, 128009]</c>). Reads either; writes an int when there is exactly one id.
/// </summary>
internal sealed class TokenIdListConverter : JsonConverter<IReadOnlyList<int>>
{
    public override IReadOnlyList<int> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return [reader.GetInt32()];
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("expected an integer or a list of integers");
        var ids = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number) throw new JsonException("expected an integer in the list");
            ids.Add(reader.GetInt32());
        }
        return ids;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<int> value, JsonSerializerOptions options)
    {
        if (value.Count == 1) { writer.WriteNumberValue(value[0]); return; }
        writer.WriteStartArray();
        foreach (var id in value) writer.WriteNumberValue(id);
        writer.WriteEndArray();
    }
}
