using System.Text.Encodings.Web;
using System.Text.Json;

namespace Llama.Core.Checkpoints;

/// <summary>The <c>model.safetensors.index.json</c> of a sharded Hugging Face checkpoint.</summary>
internal sealed class HfCheckpointIndex
{
    private HfCheckpointIndex(IReadOnlyList<KeyValuePair<string, string>> weightMap) => WeightMap = weightMap;

    /// <summary>Tensor name to shard file name, in the order of the file.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> WeightMap { get; }

    /// <summary>Reads and checks the index: a JSON object whose <c>weight_map</c> maps names to plain file names.</summary>
    public static HfCheckpointIndex Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new CheckpointIndexException(path, null, $"not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var weightMap)
                || weightMap.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointIndexException(path, null, "expected an object with a 'weight_map' object");
            }
            var entries = new List<KeyValuePair<string, string>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in weightMap.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    throw new CheckpointIndexException(path, entry.Name, $"weight_map value must be a file name string, found a JSON {entry.Value.ValueKind}");
                }
                var fileName = entry.Value.GetString()!;
                // Shards live beside the index; a path here could make a checkpoint read files elsewhere.
                if (fileName.Length == 0 || fileName is "." or ".." || fileName.IndexOfAny(['/', '\\']) >= 0)
                {
                    throw new CheckpointIndexException(path, entry.Name, $"weight_map names '{fileName}', which is not a plain file name");
                }
                if (!seen.Add(entry.Name))
                {
                    throw new CheckpointIndexException(path, entry.Name, "appears twice in weight_map");
                }
                entries.Add(new(entry.Name, fileName));
            }
            return new HfCheckpointIndex(entries);
        }
    }

    /// <summary>The index as transformers writes it: <c>json.dumps(index, indent=2, sort_keys=True) + "\n"</c>.</summary>
    public static byte[] Serialize(long totalSize, IEnumerable<KeyValuePair<string, string>> weightMap)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 2,
            NewLine = "\n",
            // Tensor names are not HTML; keep them readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", totalSize);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (tensor, file) in weightMap.OrderBy(entry => entry.Key, StringComparer.Ordinal))
            {
                json.WriteString(tensor, file);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
