namespace Llama.Curation.Quality;

/// <summary>
/// Strict rules that label the obvious cases for training a quality classifier, from the Gopher (Rae et al. 2021),
/// C4 and FineWeb heuristics (datatrove thresholds, REFERENCE-FACTS.md), made stricter on the "good" side so that
/// "good" means clean prose, not merely "not filtered". English-only: the stop words are Gopher's English ones.
/// </summary>
public sealed record QualityHeuristics
{
    /// <summary>Gopher's stop words; prose uses them, lists and spam rarely do.</summary>
    public static readonly IReadOnlySet<string> StopWords =
        new HashSet<string>(["the", "be", "to", "of", "and", "that", "have", "with"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Good needs at least this many words (Gopher's minimum is 50).</summary>
    public int GoodMinimumWords { get; init; } = 50;

    /// <summary>Good needs this fraction of non-empty lines ending in . ! ? " or ' (FineWeb's minimum is 0.12).</summary>
    public double GoodMinimumPunctuatedLineFraction { get; init; } = 0.5;

    /// <summary>Good needs this fraction of words to be stop words (running English prose is ~20-30%).</summary>
    public double GoodMinimumStopWordFraction { get; init; } = 0.08;

    /// <summary>Bad when fewer than this fraction of words contain a letter (Gopher: 0.8 for keeping).</summary>
    public double BadMaximumAlphabeticWordFraction { get; init; } = 0.6;

    /// <summary>Bad when more than this fraction of non-empty lines are shorter than 30 characters (FineWeb: 0.67).</summary>
    public double BadMinimumShortLineFraction { get; init; } = 0.8;

    /// <summary>Bad when a text of at least 20 words has fewer stop words than this fraction (Gopher needs 2 in all).</summary>
    public double BadMaximumStopWordFraction { get; init; } = 0.02;

    /// <summary>Bad when the symbol (# … | • © ») to word ratio exceeds this (Gopher: 0.1).</summary>
    public double BadMinimumSymbolRatio { get; init; } = 0.1;

    /// <summary>Good (true), bad (false) or unclear (null).</summary>
    public bool? Judge(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (words.Length == 0 || lines.Length == 0) return false;

        var alphabetic = words.Count(w => w.Any(char.IsLetter)) / (double)words.Length;
        var stopWords = words.Count(w => StopWords.Contains(w.Trim(WordPunctuation))) / (double)words.Length;
        var shortLines = lines.Count(l => l.Length < 30) / (double)lines.Length;
        var punctuated = lines.Count(l => ".!?\"'”".Contains(l[^1])) / (double)lines.Length;
        var symbols = words.Count(w => w is "#" or "|" or "•" or "©" or "»" or "…" or "..." || w.StartsWith('#')) / (double)words.Length;
        var meanWordLength = words.Average(w => w.Length);

        var bad = alphabetic < BadMaximumAlphabeticWordFraction
            || (lines.Length >= 3 && shortLines > BadMinimumShortLineFraction)
            || (words.Length >= 20 && stopWords < BadMaximumStopWordFraction)
            || symbols > BadMinimumSymbolRatio
            || meanWordLength is < 2 or > 15;
        if (bad) return false;

        var good = words.Length >= GoodMinimumWords
            && punctuated >= GoodMinimumPunctuatedLineFraction
            && stopWords >= GoodMinimumStopWordFraction
            && alphabetic >= 0.9
            && meanWordLength is >= 3 and <= 10
            && lines.Distinct(StringComparer.Ordinal).Count() == lines.Length;
        return good ? true : null;
    }

    private static readonly char[] WordPunctuation = ".,;:!?\"'()[]{}“”‘’".ToCharArray();
}
