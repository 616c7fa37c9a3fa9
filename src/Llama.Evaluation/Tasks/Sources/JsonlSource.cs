using System.Text.Json;

namespace Llama.Evaluation.Tasks.Sources;

/// <summary>
/// Documents from a JSON Lines file, one object per line; strings, numbers, booleans and lists of strings become
/// fields. The first <c>num_fewshot</c>-pool documents are the rows of <c>PATH.fewshot.jsonl</c> when it exists,
/// otherwise few-shot examples are drawn from the other test documents.
/// </summary>
internal static class JsonlSource
{
    public static TaskDocuments Load(string path)
    {
        var test = Read(path);
        string fewshotPath = Path.ChangeExtension(path, ".fewshot.jsonl");
        return new TaskDocuments(test, File.Exists(fewshotPath) ? Read(fewshotPath) : []);
    }

    public static List<EvalDocument> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: task data not found", path);
        var documents = new List<EvalDocument>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement row;
            try { row = JsonSerializer.Deserialize<JsonElement>(line); }
            catch (JsonException e) { throw new TaskFileException(path, lineNumber, $"not a JSON object: {e.Message}", e); }
            if (row.ValueKind != JsonValueKind.Object) throw new TaskFileException(path, lineNumber, "each line must be a JSON object");
            var fields = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var property in row.EnumerateObject())
                if (ToField(property.Value) is { } value) fields[property.Name] = value;
            string id = fields.TryGetValue("id", out var given) ? given.ToString()! : $"{Path.GetFileName(path)}:{lineNumber}";
            documents.Add(new EvalDocument(id, fields));
        }
        return documents;
    }

    private static object? ToField(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.TryGetInt64(out var n) ? n : value.GetDouble(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Array => value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList(),
        _ => null,
    };
}
