namespace Llama.Curation.Documents;

/// <summary>
/// One document as it flows through curation. Stages return a changed copy (<c>with</c>) or drop it; nothing
/// mutates a document in place, so stages can run on many threads.
/// </summary>
/// <param name="Id">Stable id: source name plus a path or record number (e.g. <c>python-docs/library/os.html</c>).</param>
/// <param name="Text">The text (after extraction, for HTML).</param>
/// <param name="Source">Which input it came from (a corpus name such as <c>austen</c> or <c>udhr</c>).</param>
public sealed record CurationDocument(string Id, string Text, string Source)
{
    /// <summary>Original URL, when the source has one (URL-level dedup keys on it).</summary>
    public string? Url { get; init; }

    /// <summary>When the source says the document was fetched or written; URL dedup keeps the newest copy.</summary>
    public DateTime? Timestamp { get; init; }

    /// <summary>ISO 639-1 code from language identification, e.g. <c>en</c>.</summary>
    public string? Language { get; init; }

    /// <summary>Confidence of <see cref="Language"/> in [0, 1].</summary>
    public double? LanguageScore { get; init; }

    /// <summary>general, code, math or multilingual (the paper's mix categories).</summary>
    public string? Domain { get; init; }

    /// <summary>Model-based quality score in [0, 1] (higher is better).</summary>
    public double? QualityScore { get; init; }

    /// <summary>Free-form annotations stages add (e.g. <c>pii.email</c> = <c>2</c>).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags;

    public static readonly IReadOnlyDictionary<string, string> EmptyTags = new Dictionary<string, string>();

    /// <summary>A copy with one more tag.</summary>
    public CurationDocument WithTag(string key, string value)
    {
        var tags = new Dictionary<string, string>(Tags) { [key] = value };
        return this with { Tags = tags };
    }
}
