using System.Text.Json;

namespace Llama.Core.Tokenization;

/// <summary>
/// Reads tokenizer training text from files and folders: plain text of any extension, and JSON Lines
/// (<c>.jsonl</c>) whose objects carry a <c>text</c> field. Folders are walked recursively in ordinal
/// path order so training sees the same text in the same order on every machine.
/// </summary>
public static class TrainingTextFiles
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path)) files.Add(path);
            else if (Directory.Exists(path))
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else throw new FileNotFoundException($"{path}: no such file or folder");
        }
        if (files.Count == 0) throw new ArgumentException("no training files found in the given paths");
        return files;
    }

    /// <summary>One string per document: a whole text file, or one JSONL record's <c>text</c>.</summary>
    public static IEnumerable<string> ReadDocuments(IReadOnlyList<string> files)
    {
        foreach (var file in files)
        {
            if (!file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                yield return File.ReadAllText(file);
                continue;
            }
            int lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                string? text;
                try
                {
                    using var record = JsonDocument.Parse(line);
                    text = record.RootElement.TryGetProperty("text", out var field) && field.ValueKind == JsonValueKind.String ? field.GetString() : null;
                }
                catch (JsonException e)
                {
                    throw new TokenizerFormatException(file, lineNumber, $"not valid JSON ({e.Message})", e);
                }
                if (text is null) throw new TokenizerFormatException(file, lineNumber, "the record has no string field \"text\"");
                yield return text;
            }
        }
    }
}
