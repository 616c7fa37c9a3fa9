namespace Llama.Curation.Dedup;

/// <summary>Options of <see cref="ExactDeduplicator"/>.</summary>
public sealed record ExactDedupOptions
{
    /// <summary>
    /// Hash the normalized text (NFKC, lowercase, whitespace collapsed, trimmed) rather than the raw text, so copies
    /// that differ only in case or spacing count as the same. On by default.
    /// </summary>
    public bool NormalizeText { get; init; } = true;
}
