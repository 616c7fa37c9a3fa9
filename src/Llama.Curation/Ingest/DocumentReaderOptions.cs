namespace Llama.Curation.Ingest;

/// <summary>Options of <see cref="DocumentReader"/>.</summary>
public sealed record DocumentReaderOptions
{
    /// <summary>
    /// Largest document accepted, in bytes of UTF-8 (for a text or HTML file: the file, decompressed; for JSONL: the
    /// line). Larger ones are skipped as <see cref="IngestSkipReasons.TooLarge"/> after reading at most this many
    /// bytes. 10 MB holds any real web page or book while keeping one bad input from taking the memory of a worker.
    /// </summary>
    public long MaxDocumentBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>
    /// The source name of every document read. When null (the default) it is the top-level folder under the input
    /// root, or the file's stem for a file at the top level (<c>austen.txt</c> → <c>austen</c>). A JSONL
    /// <c>source</c> field or Parquet <c>source</c> column still wins for its own record.
    /// </summary>
    public string? SourceName { get; init; }

    /// <summary>How HTML files become text.</summary>
    public HtmlExtractionOptions Html { get; init; } = new();
}
