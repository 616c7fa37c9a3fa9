using Llama.Curation.Documents;
using Llama.Curation.Stages;
using Lingua;
using LinguaLanguage = Lingua.Language;

namespace Llama.Curation.Language;

/// <summary>A language label and its confidence in [0, 1].</summary>
/// <param name="Language">ISO 639-1 code, or <see cref="LanguageIdentifier.Undetermined"/>.</param>
/// <param name="Score">Confidence of the best candidate (Lingua's, normalised over the candidate set).</param>
/// <param name="BestGuess">The best candidate even when its score was below the threshold; null for empty text.</param>
public readonly record struct LanguageGuess(string Language, double Score, string? BestGuess);

/// <summary>
/// Labels each document with its language (paper section 3.1.1, "multilingual data"): sets
/// <see cref="CurationDocument.Language"/> and <see cref="CurationDocument.LanguageScore"/> from SearchPioneer.Lingua
/// run on a bounded prefix of the text. Keeps every document unless <see cref="LanguageIdentifierOptions.AllowedLanguages"/>
/// is set. Thread-safe: Lingua's detector only reads its models once they are loaded, and we preload them.
/// </summary>
public sealed class LanguageIdentifier : IDocumentStage
{
    /// <summary>ISO 639-2 "undetermined": the label for empty text and for scores below the threshold.</summary>
    public const string Undetermined = "und";

    /// <summary>Drop reason when an allow-list is configured and the document's language is not on it.</summary>
    public const string UnsupportedReason = "lang.unsupported";

    /// <summary>Tag holding the best candidate when the document was labelled <see cref="Undetermined"/>.</summary>
    public const string GuessTag = "lang.guess";

    private readonly LanguageDetector _detector;
    private readonly HashSet<string>? _allowed;

    public LanguageIdentifier(LanguageIdentifierOptions? options = null)
    {
        Options = options ?? new LanguageIdentifierOptions();
        if (Options.PrefixChars < 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"PrefixChars ({Options.PrefixChars}) must be >= 0");
        if (Options.MinimumScore is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"MinimumScore ({Options.MinimumScore}) must be in [0, 1]");

        var builder = Options.Candidates is [var only] && only.Equals(LanguageIdentifierOptions.AllLanguages, StringComparison.OrdinalIgnoreCase)
            ? LanguageDetectorBuilder.FromAllLanguages()
            : LanguageDetectorBuilder.FromLanguages(Options.Candidates.Select(ToLingua).Distinct().ToArray());
        if (Options.LowAccuracyMode) builder = builder.WithLowAccuracyMode();
        // Preloading makes the first documents as fast as the rest and avoids lazy loading racing across threads.
        _detector = builder.WithPreloadedLanguageModels().Build();

        _allowed = Options.AllowedLanguages is null
            ? null
            : new HashSet<string>(Options.AllowedLanguages, StringComparer.OrdinalIgnoreCase);
    }

    public LanguageIdentifierOptions Options { get; }

    public string Name => "language-id";

    /// <summary>The ISO 639-1 codes this identifier can answer.</summary>
    public IReadOnlyList<string> CandidateCodes =>
        _detector.Languages.Select(ToIsoCode).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Identifies the language of <paramref name="text"/> (its first <see cref="LanguageIdentifierOptions.PrefixChars"/> characters).</summary>
    public LanguageGuess Identify(string text)
    {
        var prefix = BoundedPrefix(text, Options.PrefixChars);
        var best = LinguaLanguage.Unknown;
        var bestScore = 0.0;
        foreach (var (language, score) in _detector.ComputeLanguageConfidenceValues(prefix))
        {
            if (score > bestScore)
            {
                best = language;
                bestScore = score;
            }
        }

        if (best == LinguaLanguage.Unknown) return new LanguageGuess(Undetermined, 0, null);
        var code = ToIsoCode(best);
        return bestScore >= Options.MinimumScore
            ? new LanguageGuess(code, bestScore, code)
            : new LanguageGuess(Undetermined, bestScore, code);
    }

    public StageVerdict Process(CurationDocument document)
    {
        var guess = Identify(document.Text);
        if (_allowed is not null && !_allowed.Contains(guess.Language))
            return StageVerdict.Dropped(UnsupportedReason,
                $"{guess.Language} (score {guess.Score:F2}, best guess {guess.BestGuess ?? "none"}) is not in [{string.Join(", ", _allowed.Order())}]");

        var labelled = document with { Language = guess.Language, LanguageScore = guess.Score };
        if (guess.Language == Undetermined && guess.BestGuess is not null)
            labelled = labelled.WithTag(GuessTag, guess.BestGuess);
        return StageVerdict.Kept(labelled);
    }

    /// <summary>The first <paramref name="maxChars"/> characters, not splitting a surrogate pair.</summary>
    internal static string BoundedPrefix(string text, int maxChars)
    {
        if (maxChars == 0 || text.Length <= maxChars) return text;
        var length = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return text[..length];
    }

    private static LinguaLanguage ToLingua(string isoCode)
    {
        if (Enum.TryParse<IsoCode6391>(isoCode, ignoreCase: true, out var code) && code != IsoCode6391.None)
            return LanguageInfo.GetByIsoCode6391(code);
        throw new ArgumentException(
            $"LanguageIdentifierOptions.Candidates: '{isoCode}' is not an ISO 639-1 code Lingua supports " +
            $"(use e.g. 'en', 'nb' for Norwegian Bokmål, or the single entry '{LanguageIdentifierOptions.AllLanguages}')");
    }

    private static string ToIsoCode(LinguaLanguage language) =>
        language.IsoCode6391().ToString().ToLowerInvariant();
}
