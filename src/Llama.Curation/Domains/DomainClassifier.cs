using System.Globalization;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Domains;

/// <summary>
/// Labels each document's <see cref="CurationDocument.Domain"/> with one of <see cref="DomainNames"/>, by rules in this
/// order (first match wins):
/// <list type="number">
/// <item>code: at least <see cref="DomainClassifierOptions.CodeLineFraction"/> of the (at least
/// <see cref="DomainClassifierOptions.CodeMinimumLines"/>) non-empty lines look like code, whatever the language;</item>
/// <item>multilingual: the language (or, when undetermined, its best guess) is known and not a primary language;</item>
/// <item>math: enough number/operator/formula tokens or LaTeX math commands;</item>
/// <item>general: everything else.</item>
/// </list>
/// Never drops. Adds the tag <see cref="EvidenceTag"/> with the measured values so thresholds can be tuned from a run.
/// </summary>
public sealed class DomainClassifier(DomainClassifierOptions? options = null) : IDocumentStage
{
    /// <summary>Tag with the rule inputs, e.g. <c>code_lines=0.62/13,math_tokens=0.03,latex=0</c>.</summary>
    public const string EvidenceTag = "domain.evidence";

    private readonly HashSet<string> _primaryLanguages =
        new((options ?? new DomainClassifierOptions()).PrimaryLanguages, StringComparer.OrdinalIgnoreCase);

    public DomainClassifierOptions Options { get; } = options ?? new DomainClassifierOptions();

    public string Name => "domain-classifier";

    /// <summary>The domain of a text in a given language (null or <c>und</c> when unknown).</summary>
    public string Classify(string text, string? language) => Classify(text, language, out _);

    public StageVerdict Process(CurationDocument document)
    {
        // An undetermined language still has a best guess: text in a script none of the candidates covers (Tamil,
        // Amharic, ... in the UDHR) must not count as general English text, or it floods the English mix with
        // byte-level tokens the model cannot predict.
        // No guess at all means no candidate language fits the script: "mul" (ISO 639 for "multiple/other") is not primary.
        string? language = document.Language == Language.LanguageIdentifier.Undetermined
            ? document.Tags.TryGetValue(Language.LanguageIdentifier.GuessTag, out var guess) && !string.IsNullOrEmpty(guess) ? guess : "mul"
            : document.Language;
        var domain = Classify(document.Text, language, out var evidence);
        return StageVerdict.Kept((document with { Domain = domain }).WithTag(EvidenceTag, evidence));
    }

    private string Classify(string text, string? language, out string evidence)
    {
        var (codeFraction, lines) = CodeSignals.CodeLineFraction(text);
        var (mathFraction, latex) = MathSignals.Measure(text);
        evidence = string.Create(CultureInfo.InvariantCulture,
            $"code_lines={codeFraction:F2}/{lines},math_tokens={mathFraction:F2},latex={latex}");

        if (lines >= Options.CodeMinimumLines && codeFraction >= Options.CodeLineFraction) return DomainNames.Code;
        if (language is { Length: > 0 } and not Language.LanguageIdentifier.Undetermined && !_primaryLanguages.Contains(language))
            return DomainNames.Multilingual;
        if (mathFraction >= Options.MathTokenFraction || latex >= Options.MathMinimumLatexCommands) return DomainNames.Math;
        return DomainNames.General;
    }
}
