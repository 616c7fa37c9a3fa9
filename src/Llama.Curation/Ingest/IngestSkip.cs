namespace Llama.Curation.Ingest;

/// <summary>
/// An input the reader could not turn into a document, and why. Bad input never stops ingestion: the reader reports
/// it here and goes on, so the run report can count skips by <see cref="Reason"/>.
/// </summary>
/// <param name="Path">The file, with <c>:line</c> (JSONL) or <c>#row</c> (Parquet) when one record was skipped.</param>
/// <param name="Reason">A stable key from <see cref="IngestSkipReasons"/>.</param>
/// <param name="Detail">What was wrong, for people.</param>
public sealed record IngestSkip(string Path, string Reason, string? Detail = null);

/// <summary>The stable keys of <see cref="IngestSkip.Reason"/>.</summary>
public static class IngestSkipReasons
{
    /// <summary>Bytes that are not valid UTF-8 (decoded strictly; the document is skipped, not repaired).</summary>
    public const string InvalidUtf8 = "ingest.invalid_utf8";

    /// <summary>Empty or whitespace-only text (for HTML: nothing left after extraction).</summary>
    public const string Empty = "ingest.empty";

    /// <summary>A document over <see cref="DocumentReaderOptions.MaxDocumentBytes"/>; it is never read whole.</summary>
    public const string TooLarge = "ingest.too_large";

    /// <summary>A JSONL line or Parquet file/row that does not hold a valid record (no <c>text</c>, bad JSON, bad timestamp).</summary>
    public const string BadRecord = "ingest.bad_record";

    /// <summary>A file whose extension the reader does not know.</summary>
    public const string UnsupportedFormat = "ingest.unsupported_format";

    /// <summary>A file that could not be opened or read to the end (permissions, corrupt gzip or Parquet).</summary>
    public const string Unreadable = "ingest.unreadable";
}
