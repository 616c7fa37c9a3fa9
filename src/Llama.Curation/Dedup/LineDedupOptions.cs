namespace Llama.Curation.Dedup;

/// <summary>Options of <see cref="LineDeduplicator"/>.</summary>
public sealed record LineDedupOptions
{
    /// <summary>
    /// A line is removed when more than this many documents of its bucket contain it: 6, the Llama 3 paper's
    /// threshold (section 3.1.1, "lines that appeared more than 6 times in each bucket of 30M documents").
    /// </summary>
    public int MaxDocumentsPerLine { get; init; } = 6;

    /// <summary>
    /// Documents per bucket. The paper uses 30M for a web-scale crawl; 10,000 is the same idea at the size of the
    /// demo corpus (a whole small corpus is one bucket). The number of buckets is the document count divided by
    /// this, rounded up, and at most <see cref="LineDeduplicator.MaxBuckets"/>.
    /// </summary>
    public int DocumentsPerBucket { get; init; } = 10_000;

    /// <summary>
    /// Lines shorter than this, after normalization, are neither counted nor removed. 1 exempts only blank lines,
    /// so paragraph breaks survive; raise it to spare short repeated lines such as <c>}</c> in code.
    /// </summary>
    public int MinLineChars { get; init; } = 1;

    internal void Validate()
    {
        if (MaxDocumentsPerLine < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxDocumentsPerLine), $"MaxDocumentsPerLine ({MaxDocumentsPerLine}) must be at least 1");
        if (DocumentsPerBucket < 1)
            throw new ArgumentOutOfRangeException(nameof(DocumentsPerBucket), $"DocumentsPerBucket ({DocumentsPerBucket}) must be at least 1");
        if (MinLineChars < 1)
            throw new ArgumentOutOfRangeException(nameof(MinLineChars), $"MinLineChars ({MinLineChars}) must be at least 1");
    }
}
