namespace Llama.Curation.Domains;

/// <summary>
/// Thresholds of <see cref="DomainClassifier"/>'s rules. The paper classifies domains with a model (section 3.1.2,
/// "knowledge classification"); these transparent rules stand in for it. The defaults are starting points checked
/// on the examples in the tests (Python sessions, C# and shell snippets, arithmetic quizzes, LaTeX, prose), not
/// tuned on a corpus: the <c>domain.evidence</c> tag each document gets shows the measured values for tuning.
/// </summary>
public sealed record DomainClassifierOptions
{
    /// <summary>Languages that count as "not multilingual". Undetermined (<c>und</c>) and missing languages do not
    /// make a document multilingual: code and formulas often have no language.</summary>
    public IReadOnlyList<string> PrimaryLanguages { get; init; } = ["en"];

    /// <summary>Code when at least this fraction of non-empty lines look like code (see <see cref="CodeSignals"/>).</summary>
    public double CodeLineFraction { get; init; } = 0.4;

    /// <summary>Code needs at least this many non-empty lines; one line of text says little.</summary>
    public int CodeMinimumLines { get; init; } = 3;

    /// <summary>Math when at least this fraction of whitespace tokens are numbers, operators, formulas or LaTeX.</summary>
    public double MathTokenFraction { get; init; } = 0.2;

    /// <summary>Math when the text has at least this many LaTeX math commands (<c>\frac</c>, <c>\sum</c>, ...).</summary>
    public int MathMinimumLatexCommands { get; init; } = 3;
}
