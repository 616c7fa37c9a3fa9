namespace Llama.Curation.Filters;

/// <summary>
/// Thresholds of <see cref="GopherQualityFilter"/>. Defaults are Gopher's quality rules (Rae et al. 2021,
/// "Scaling Language Models", appendix A1.1) as datatrove's <c>GopherQualityFilter</c> sets them. A <c>null</c>
/// threshold switches its rule off.
/// </summary>
public sealed record GopherQualityOptions
{
    /// <summary>Fewest words (tokens that are not only punctuation). Gopher: 50.</summary>
    public int? MinWords { get; init; } = 50;

    /// <summary>Most words. Gopher: 100,000.</summary>
    public int? MaxWords { get; init; } = 100_000;

    /// <summary>Smallest mean word length in characters. Gopher: 3. Language-specific (see <see cref="LanguageSpecificRulesLanguages"/>).</summary>
    public double? MinMeanWordLength { get; init; } = 3;

    /// <summary>Largest mean word length in characters. Gopher: 10. Language-specific.</summary>
    public double? MaxMeanWordLength { get; init; } = 10;

    /// <summary>Most <c>#</c> symbols per token, and separately most ellipses per token. Gopher: 0.1.</summary>
    public double? MaxSymbolToWordRatio { get; init; } = 0.1;

    /// <summary>Largest fraction of lines that start with a bullet. Gopher: 0.9.</summary>
    public double? MaxBulletLineRatio { get; init; } = 0.9;

    /// <summary>Largest fraction of lines that end with an ellipsis. Gopher: 0.3.</summary>
    public double? MaxEllipsisLineRatio { get; init; } = 0.3;

    /// <summary>
    /// Smallest fraction of tokens that contain a letter. Gopher: "80% of words in a document contain at least one
    /// alphabetic character" (datatrove names it <c>max_non_alpha_words_ratio = 0.8</c> and compares it the same way).
    /// </summary>
    public double? MinAlphabeticWordRatio { get; init; } = 0.8;

    /// <summary>Fewest stop-word occurrences. Gopher: 2. Language-specific.</summary>
    public int? MinStopWords { get; init; } = 2;

    /// <summary>Gopher's stop words: the, be, to, of, and, that, have, with (matched exactly, case included, as datatrove does: a sentence-initial "The" does not count).</summary>
    public IReadOnlyList<string> StopWords { get; init; } = ["the", "be", "to", "of", "and", "that", "have", "with"];

    /// <summary>
    /// Lines starting with one of these (after leading spaces) are bullet lines. datatrove checks <c>•</c> and
    /// <c>-</c>; the other common bullet glyphs are added here.
    /// </summary>
    public IReadOnlyList<string> BulletPrefixes { get; init; } = ["•", "-", "*", "‣", "◦", "▪", "●", "·"];

    /// <summary>
    /// Languages (ISO 639-1) the English-tuned rules (mean word length, stop words) apply to. Gopher applied them to
    /// its English corpus (MassiveWeb was language-filtered first); for other languages they would drop good text
    /// (Chinese has no spaces, German has long compounds), so other languages skip them.
    /// </summary>
    public IReadOnlyList<string> LanguageSpecificRulesLanguages { get; init; } = ["en"];

    /// <summary>Whether a document with no <c>Language</c> gets the English-tuned rules (default yes: unknown is treated as English).</summary>
    public bool UnknownLanguageIsEnglish { get; init; } = true;
}
