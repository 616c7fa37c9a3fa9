using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Filters;

/// <summary>
/// FineWeb's three custom heuristics plus its list-page rule (Penedo et al. 2024, section 3.6; datatrove's
/// <c>FineWebQualityFilter</c>, including its comparisons: punctuation "at or below" and the others "at or above" drop).
/// Lines are split on <c>\n</c> only, as there. Drop reasons: <c>fineweb.line_punct_ratio</c>,
/// <c>fineweb.short_line_ratio</c>, <c>fineweb.duplicate_line_chars</c>, <c>fineweb.newline_ratio</c>.
/// </summary>
public sealed class FineWebFilter(FineWebFilterOptions? options = null) : IDocumentStage
{
    private readonly FineWebFilterOptions _options = options ?? new FineWebFilterOptions();

    /// <inheritdoc />
    public string Name => "fineweb";

    /// <summary>Too few lines end in punctuation.</summary>
    public const string LinePunctuationReason = "fineweb.line_punct_ratio";
    /// <summary>Too many short lines.</summary>
    public const string ShortLineReason = "fineweb.short_line_ratio";
    /// <summary>Too many characters in repeated lines.</summary>
    public const string DuplicateLineCharsReason = "fineweb.duplicate_line_chars";
    /// <summary>Too many newlines per word (a list, not prose).</summary>
    public const string NewlineRatioReason = "fineweb.newline_ratio";

    /// <inheritdoc />
    public StageVerdict Process(CurationDocument document)
    {
        var text = document.Text;
        var lines = text.Split('\n');

        if (_options.MinLinePunctuationRatio is { } minPunctuation)
        {
            var ratio = (double)lines.Count(EndsInPunctuation) / lines.Length;
            if (ratio <= minPunctuation && !(ratio == 0 && _options.ExemptZeroLinePunctuation))
                return StageVerdict.Dropped(LinePunctuationReason, $"lines ending in punctuation {ratio:0.###} <= {minPunctuation}");
        }

        if (_options.MaxShortLineRatio is { } maxShort)
        {
            var ratio = (double)lines.Count(l => l.Length <= _options.ShortLineLength) / lines.Length;
            if (ratio >= maxShort)
                return StageVerdict.Dropped(ShortLineReason, $"short lines {ratio:0.###} >= {maxShort}");
        }

        if (_options.MaxDuplicateLineCharRatio is { } maxDuplicateChars)
        {
            var nonNewlineChars = text.Length - (lines.Length - 1);
            var duplicateChars = RepetitionMeasures.FindDuplicates(lines.Where(l => !string.IsNullOrWhiteSpace(l))).DuplicateChars;
            var ratio = nonNewlineChars == 0 ? 0 : (double)duplicateChars / nonNewlineChars;
            if (ratio >= maxDuplicateChars)
                return StageVerdict.Dropped(DuplicateLineCharsReason, $"characters in repeated lines {ratio:0.####} >= {maxDuplicateChars}");
        }

        if (_options.MaxNewlineToWordRatio is { } maxNewlines)
        {
            var tokens = WordTokenizer.Tokenize(text).Count;
            var newlines = lines.Length - 1;
            // datatrove divides by zero on a page without words; here only blank lines with no words count as a list.
            var ratio = tokens == 0 ? (newlines == 0 ? 0 : double.PositiveInfinity) : (double)newlines / tokens;
            if (ratio > maxNewlines)
                return StageVerdict.Dropped(NewlineRatioReason, $"newlines per word {ratio:0.###} > {maxNewlines}");
        }

        return StageVerdict.Kept(document);
    }

    private static bool EndsInPunctuation(string line) => line.Length > 0 && line[^1] is '.' or '\'' or '"' or '!' or '?';
}
