using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Filters;

/// <summary>
/// Gopher's quality heuristics (Rae et al. 2021, appendix A1.1), computed as datatrove's <c>GopherQualityFilter</c>
/// does: word count, mean word length, hash and ellipsis symbol ratios, bullet and ellipsis line ratios, alphabetic
/// word ratio and stop words. Drop reasons are <c>gopher_quality.&lt;rule&gt;</c>.
/// </summary>
public sealed class GopherQualityFilter : IDocumentStage
{
    private readonly GopherQualityOptions _options;
    private readonly HashSet<string> _stopWords;

    /// <summary>A filter with <paramref name="options"/> (Gopher's thresholds when null).</summary>
    public GopherQualityFilter(GopherQualityOptions? options = null)
    {
        _options = options ?? new GopherQualityOptions();
        _stopWords = new HashSet<string>(_options.StopWords, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public string Name => "gopher-quality";

    /// <summary>Fewer or more words than allowed.</summary>
    public const string WordCountReason = "gopher_quality.word_count";
    /// <summary>Mean word length outside the allowed range.</summary>
    public const string MeanWordLengthReason = "gopher_quality.mean_word_length";
    /// <summary>Too many <c>#</c> or ellipses per token.</summary>
    public const string SymbolRatioReason = "gopher_quality.symbol_ratio";
    /// <summary>Too many lines starting with a bullet.</summary>
    public const string BulletLinesReason = "gopher_quality.bullet_lines";
    /// <summary>Too many lines ending with an ellipsis.</summary>
    public const string EllipsisLinesReason = "gopher_quality.ellipsis_lines";
    /// <summary>Too few tokens containing a letter.</summary>
    public const string AlphabeticWordsReason = "gopher_quality.alphabetic_words";
    /// <summary>Too few stop words.</summary>
    public const string StopWordsReason = "gopher_quality.stop_words";

    /// <inheritdoc />
    public StageVerdict Process(CurationDocument document)
    {
        var text = document.Text;
        var tokens = WordTokenizer.Tokenize(text);
        var words = tokens.Where(WordTokenizer.IsWord).ToList();
        var languageSpecific = LanguageSpecificRulesApply(document.Language);

        if (_options.MinWords is { } minWords && words.Count < minWords)
            return StageVerdict.Dropped(WordCountReason, $"{words.Count} words < {minWords}");
        if (_options.MaxWords is { } maxWords && words.Count > maxWords)
            return StageVerdict.Dropped(WordCountReason, $"{words.Count} words > {maxWords}");
        if (words.Count == 0)
            return StageVerdict.Dropped(WordCountReason, "no words");

        if (languageSpecific)
        {
            var meanLength = words.Average(w => (double)w.Length);
            if (_options.MinMeanWordLength is { } minLength && meanLength < minLength)
                return StageVerdict.Dropped(MeanWordLengthReason, $"mean word length {meanLength:0.##} < {minLength}");
            if (_options.MaxMeanWordLength is { } maxLength && meanLength > maxLength)
                return StageVerdict.Dropped(MeanWordLengthReason, $"mean word length {meanLength:0.##} > {maxLength}");
        }

        // datatrove divides symbol counts by all tokens (punctuation included), not by words.
        if (_options.MaxSymbolToWordRatio is { } maxSymbols)
        {
            var hashRatio = (double)text.Count(c => c == '#') / tokens.Count;
            if (hashRatio > maxSymbols)
                return StageVerdict.Dropped(SymbolRatioReason, $"'#' per token {hashRatio:0.###} > {maxSymbols}");
            var ellipsisRatio = (double)(CountOccurrences(text, "...") + text.Count(c => c == '…')) / tokens.Count;
            if (ellipsisRatio > maxSymbols)
                return StageVerdict.Dropped(SymbolRatioReason, $"ellipses per token {ellipsisRatio:0.###} > {maxSymbols}");
        }

        var lines = LineSplitter.SplitLines(text);
        if (_options.MaxBulletLineRatio is { } maxBullets)
        {
            var ratio = (double)lines.Count(IsBulletLine) / lines.Count;
            if (ratio > maxBullets)
                return StageVerdict.Dropped(BulletLinesReason, $"bullet lines {ratio:0.###} > {maxBullets}");
        }
        if (_options.MaxEllipsisLineRatio is { } maxEllipsisLines)
        {
            var ratio = (double)lines.Count(EndsWithEllipsis) / lines.Count;
            if (ratio > maxEllipsisLines)
                return StageVerdict.Dropped(EllipsisLinesReason, $"lines ending in an ellipsis {ratio:0.###} > {maxEllipsisLines}");
        }

        if (_options.MinAlphabeticWordRatio is { } minAlphabetic)
        {
            var ratio = (double)tokens.Count(WordTokenizer.HasLetter) / tokens.Count;
            if (ratio < minAlphabetic)
                return StageVerdict.Dropped(AlphabeticWordsReason, $"tokens with a letter {ratio:0.###} < {minAlphabetic}");
        }

        if (languageSpecific && _options.MinStopWords is { } minStopWords)
        {
            var stopWords = tokens.Count(_stopWords.Contains);
            if (stopWords < minStopWords)
                return StageVerdict.Dropped(StopWordsReason, $"{stopWords} stop words < {minStopWords}");
        }

        return StageVerdict.Kept(document);
    }

    private bool LanguageSpecificRulesApply(string? language) =>
        language is null
            ? _options.UnknownLanguageIsEnglish
            : _options.LanguageSpecificRulesLanguages.Contains(language, StringComparer.OrdinalIgnoreCase);

    private bool IsBulletLine(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        foreach (var prefix in _options.BulletPrefixes)
            if (trimmed.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    private static bool EndsWithEllipsis(string line)
    {
        var trimmed = line.AsSpan().TrimEnd();
        return trimmed.EndsWith("...", StringComparison.Ordinal) || trimmed.EndsWith("…", StringComparison.Ordinal);
    }

    private static int CountOccurrences(string text, string value)
    {
        int count = 0, index = 0;
        while ((index = text.IndexOf(value, index, StringComparison.Ordinal)) >= 0)
        {
            count++;
            index += value.Length;
        }
        return count;
    }
}
