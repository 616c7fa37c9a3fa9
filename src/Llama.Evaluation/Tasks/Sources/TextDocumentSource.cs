using System.Text.RegularExpressions;

namespace Llama.Evaluation.Tasks.Sources;

/// <summary>
/// Whole texts for held-out perplexity: the rows of a JSON Lines file (<c>text_field</c>, grouped by
/// <c>group_by</c> such as a language or domain field), or the chapters of a plain-text book.
/// </summary>
internal static partial class TextDocumentSource
{
    public static TaskDocuments Load(string path, TaskSource source)
    {
        if (Path.GetExtension(path).Equals(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            var rows = JsonlSource.Read(path).Select(d =>
            {
                var fields = new Dictionary<string, object>(d.Fields);
                if (!fields.TryGetValue(source.TextField, out var text)) throw new TaskFileException(path, null, $"document {d.Id} has no field '{source.TextField}'");
                fields["text"] = text.ToString()!;
                fields["group"] = source.GroupBy is { } g && fields.TryGetValue(g, out var group) ? group.ToString()! : "all";
                return new EvalDocument(d.Id, fields);
            }).ToList();
            return new TaskDocuments(rows, []);
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: text not found", path);
        var chapters = ChapterHeading().Split(File.ReadAllText(path))
            .Select(c => c.Trim()).Where(c => c.Length >= 200).ToList(); // the title page is no chapter
        var documents = chapters.Select((text, i) => new EvalDocument($"{Path.GetFileNameWithoutExtension(path)}:{i:000}",
            new Dictionary<string, object> { ["text"] = text, ["group"] = "all" })).ToList();
        return new TaskDocuments(documents, []);
    }

    [GeneratedRegex(@"^Chapter \d+\s*$", RegexOptions.Multiline)]
    private static partial Regex ChapterHeading();
}
