namespace Llama.Curation.Filters;

/// <summary>
/// Thresholds of <see cref="GopherRepetitionFilter"/>: Gopher's table A1 (Rae et al. 2021), the defaults of
/// datatrove's <c>GopherRepetitionFilter</c>. Every fraction is "drop when above". A <c>null</c> switches a rule off.
/// </summary>
public sealed record GopherRepetitionOptions
{
    /// <summary>Largest fraction of lines that repeat an earlier line. Gopher: 0.30.</summary>
    public double? MaxDuplicateLineFraction { get; init; } = 0.3;

    /// <summary>Largest fraction of paragraphs that repeat an earlier paragraph. Gopher: 0.30.</summary>
    public double? MaxDuplicateParagraphFraction { get; init; } = 0.3;

    /// <summary>Largest fraction of the text's characters in repeated lines. Gopher: 0.20.</summary>
    public double? MaxDuplicateLineCharFraction { get; init; } = 0.2;

    /// <summary>Largest fraction of the text's characters in repeated paragraphs. Gopher: 0.20.</summary>
    public double? MaxDuplicateParagraphCharFraction { get; init; } = 0.2;

    /// <summary>
    /// For n = 2, 3, 4: largest fraction of the text's characters covered by the single most frequent n-gram.
    /// Gopher: 0.20, 0.18, 0.16.
    /// </summary>
    public IReadOnlyDictionary<int, double> MaxTopNGramCharFraction { get; init; } =
        new Dictionary<int, double> { [2] = 0.20, [3] = 0.18, [4] = 0.16 };

    /// <summary>
    /// For n = 5..10: largest fraction of the text's characters inside repeated n-grams.
    /// Gopher: 0.15, 0.14, 0.13, 0.12, 0.11, 0.10.
    /// </summary>
    public IReadOnlyDictionary<int, double> MaxDuplicatedNGramCharFraction { get; init; } =
        new Dictionary<int, double> { [5] = 0.15, [6] = 0.14, [7] = 0.13, [8] = 0.12, [9] = 0.11, [10] = 0.10 };
}
