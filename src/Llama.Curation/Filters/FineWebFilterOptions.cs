namespace Llama.Curation.Filters;

/// <summary>
/// Thresholds of <see cref="FineWebFilter"/>: FineWeb's custom filters (Penedo et al. 2024, "The FineWeb Datasets",
/// section 3.6), the defaults of datatrove's <c>FineWebQualityFilter</c>. A <c>null</c> switches a rule off.
/// </summary>
public sealed record FineWebFilterOptions
{
    /// <summary>
    /// The fraction of lines ending in punctuation (<c>. ' " ! ?</c>) must be above this; at or below drops.
    /// FineWeb: 0.12.
    /// </summary>
    public double? MinLinePunctuationRatio { get; init; } = 0.12;

    /// <summary>
    /// Whether a document with no line ending in punctuation at all is spared the punctuation rule
    /// (datatrove's <c>line_punct_exclude_zero</c>, off in FineWeb).
    /// </summary>
    public bool ExemptZeroLinePunctuation { get; init; }

    /// <summary>Lines of at most this many characters are short. FineWeb: 30.</summary>
    public int ShortLineLength { get; init; } = 30;

    /// <summary>The fraction of short lines must be below this; at or above drops. FineWeb: 0.67.</summary>
    public double? MaxShortLineRatio { get; init; } = 0.67;

    /// <summary>
    /// Characters in repeated non-empty lines over all non-newline characters must be below this; at or above drops.
    /// FineWeb: 0.01.
    /// </summary>
    public double? MaxDuplicateLineCharRatio { get; init; } = 0.01;

    /// <summary>Newlines per token must be at most this; above drops (list-like pages). FineWeb: 0.3.</summary>
    public double? MaxNewlineToWordRatio { get; init; } = 0.3;
}
