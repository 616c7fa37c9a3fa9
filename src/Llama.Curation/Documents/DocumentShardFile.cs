using System.Text.Json;
using System.Text.Json.Serialization;

namespace Llama.Curation.Documents;

/// <summary>
/// The pipeline's working format between steps: one JSON object per line, one file per shard. Written to a
/// temporary name and renamed, so a shard file that exists is complete: that is what makes a run resumable.
/// </summary>
public static class DocumentShardFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Write(string path, IEnumerable<CurationDocument> documents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        using (var writer = new StreamWriter(temp, append: false, new System.Text.UTF8Encoding(false)))
        {
            foreach (var document in documents)
                writer.WriteLine(JsonSerializer.Serialize(document, Json));
        }
        File.Move(temp, path, overwrite: true);
    }

    public static IEnumerable<CurationDocument> Read(string path)
    {
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            yield return JsonSerializer.Deserialize<CurationDocument>(text, Json)
                ?? throw new InvalidDataException($"{path}:{line}: empty record");
        }
    }

    public static string Serialize(CurationDocument document) => JsonSerializer.Serialize(document, Json);
}
