using System.Text.Json;

namespace Llama.Curation.Output;

/// <summary>
/// <c>llama data export</c>: a curated output folder's kept documents as JSON Lines, one object per document with
/// <c>id</c>, <c>text</c>, <c>lang</c>, <c>domain</c>, <c>source</c> (and <c>url</c>, <c>quality</c> when known).
/// </summary>
public static class CuratedDataExport
{
    public static readonly IReadOnlyList<string> Formats = ["jsonl"];

    /// <returns>The number of documents written.</returns>
    public static async Task<long> ExportAsync(string curatedFolder, string format, string outputFile, CancellationToken cancellation = default)
    {
        if (!Formats.Contains(format)) throw new ArgumentException($"--format '{format}' is not supported (supported: {string.Join(", ", Formats)})");
        string documents = Path.Combine(curatedFolder, "documents");
        if (!Directory.Exists(documents))
            throw new DirectoryNotFoundException($"{curatedFolder}: not a curated output folder (no documents/ inside; run `llama curate` first)");
        var files = Directory.GetFiles(documents, "part-*.parquet").Order(StringComparer.Ordinal).ToList();

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputFile))!);
        string temp = outputFile + ".tmp";
        long count = 0;
        await using (var writer = new StreamWriter(temp, append: false, new System.Text.UTF8Encoding(false)))
        {
            foreach (var file in files)
            {
                foreach (var row in await ParquetFiles.ReadAsync<CuratedDocumentRow>(file, cancellation))
                {
                    var record = new Dictionary<string, object?>
                    {
                        ["id"] = row.Id, ["text"] = row.Text, ["lang"] = row.Language, ["domain"] = row.Domain, ["source"] = row.Source,
                    };
                    if (row.Url is not null) record["url"] = row.Url;
                    if (row.QualityScore is not null) record["quality"] = row.QualityScore;
                    await writer.WriteLineAsync(JsonSerializer.Serialize(record));
                    count++;
                }
            }
        }
        File.Move(temp, outputFile, overwrite: true);
        return count;
    }
}
