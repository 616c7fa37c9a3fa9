using System.Text.RegularExpressions;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Filters;

/// <summary>
/// Gopher's repetition removal (Rae et al. 2021, appendix A1.1, table A1), the Llama 3 paper's "duplicated n-gram
/// coverage ratio" (section 3.1.1), with datatrove's definitions: paragraphs split on two or more newlines, lines on
/// runs of newlines, characters measured against the whole text. Drop reasons:
/// <c>gopher_repetition.duplicate_paragraphs</c>, <c>.duplicate_paragraph_chars</c>, <c>.duplicate_lines</c>,
/// <c>.duplicate_line_chars</c>, <c>.top_{n}gram</c> and <c>.duplicated_{n}gram</c>.
/// </summary>
public sealed class GopherRepetitionFilter : IDocumentStage
{
    private static readonly Regex ParagraphBreak = new(@"\n{2,}", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    private static readonly Regex LineBreaks = new(@"\n+", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private readonly GopherRepetitionOptions _options;
    private readonly KeyValuePair<int, double>[] _topNGrams;
    private readonly KeyValuePair<int, double>[] _duplicatedNGrams;

    /// <summary>A filter with <paramref name="options"/> (Gopher's table A1 when null).</summary>
    public GopherRepetitionFilter(GopherRepetitionOptions? options = null)
    {
        _options = options ?? new GopherRepetitionOptions();
        _topNGrams = _options.MaxTopNGramCharFraction.OrderBy(p => p.Key).ToArray();
        _duplicatedNGrams = _options.MaxDuplicatedNGramCharFraction.OrderBy(p => p.Key).ToArray();
        foreach (var (n, _) in _topNGrams.Concat(_duplicatedNGrams))
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(options), $"n-gram size {n} must be at least 1");
    }

    /// <inheritdoc />
    public string Name => "gopher-repetition";

    /// <summary>Too many repeated paragraphs.</summary>
    public const string DuplicateParagraphsReason = "gopher_repetition.duplicate_paragraphs";
    /// <summary>Too many characters in repeated paragraphs.</summary>
    public const string DuplicateParagraphCharsReason = "gopher_repetition.duplicate_paragraph_chars";
    /// <summary>Too many repeated lines.</summary>
    public const string DuplicateLinesReason = "gopher_repetition.duplicate_lines";
    /// <summary>Too many characters in repeated lines.</summary>
    public const string DuplicateLineCharsReason = "gopher_repetition.duplicate_line_chars";

    /// <summary>The reason key for the top n-gram rule of size <paramref name="n"/> (<c>gopher_repetition.top_2gram</c>).</summary>
    public static string TopNGramReason(int n) => $"gopher_repetition.top_{n}gram";

    /// <summary>The reason key for the duplicated n-gram rule of size <paramref name="n"/> (<c>gopher_repetition.duplicated_5gram</c>).</summary>
    public static string DuplicatedNGramReason(int n) => $"gopher_repetition.duplicated_{n}gram";

    /// <inheritdoc />
    public StageVerdict Process(CurationDocument document)
    {
        var text = document.Text;
        // Nothing can repeat in empty text (datatrove would divide by zero); the quality filters drop it anyway.
        if (text.Length == 0) return StageVerdict.Kept(document);
        double length = text.Length;

        var paragraphs = ParagraphBreak.Split(text.Trim());
        var (duplicateParagraphs, duplicateParagraphChars) = RepetitionMeasures.FindDuplicates(paragraphs);
        if (Above(duplicateParagraphs / (double)paragraphs.Length, _options.MaxDuplicateParagraphFraction, out var detail))
            return StageVerdict.Dropped(DuplicateParagraphsReason, "repeated paragraphs " + detail);
        if (Above(duplicateParagraphChars / length, _options.MaxDuplicateParagraphCharFraction, out detail))
            return StageVerdict.Dropped(DuplicateParagraphCharsReason, "characters in repeated paragraphs " + detail);

        var lines = LineBreaks.Split(text);
        var (duplicateLines, duplicateLineChars) = RepetitionMeasures.FindDuplicates(lines);
        if (Above(duplicateLines / (double)lines.Length, _options.MaxDuplicateLineFraction, out detail))
            return StageVerdict.Dropped(DuplicateLinesReason, "repeated lines " + detail);
        if (Above(duplicateLineChars / length, _options.MaxDuplicateLineCharFraction, out detail))
            return StageVerdict.Dropped(DuplicateLineCharsReason, "characters in repeated lines " + detail);

        var (ids, lengths) = RepetitionMeasures.ToIds(WordTokenizer.Tokenize(text));
        foreach (var (n, max) in _topNGrams)
        {
            if (Above(RepetitionMeasures.TopNGramChars(ids, lengths, n) / length, max, out detail))
                return StageVerdict.Dropped(TopNGramReason(n), $"characters in the top {n}-gram " + detail);
        }
        foreach (var (n, max) in _duplicatedNGrams)
        {
            if (Above(RepetitionMeasures.DuplicatedNGramChars(ids, lengths, n) / length, max, out detail))
                return StageVerdict.Dropped(DuplicatedNGramReason(n), $"characters in repeated {n}-grams " + detail);
        }
        return StageVerdict.Kept(document);
    }

    private static bool Above(double value, double? max, out string detail)
    {
        detail = $"{value:0.###} > {max}";
        return max is { } limit && value > limit;
    }
}
