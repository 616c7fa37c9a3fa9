using System.Globalization;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Quality;

/// <summary>
/// Model-based quality filtering (paper section 3.1.1): scores each document with a <see cref="QualityClassifier"/>
/// into <see cref="CurationDocument.QualityScore"/> and drops those below
/// <see cref="QualityFilterOptions.MinimumScore"/> with <see cref="LowScoreReason"/>. Documents in other languages or
/// exempt domains pass unscored with the tag <see cref="SkippedTag"/> saying why.
/// </summary>
public sealed class QualityFilter : IDocumentStage
{
    /// <summary>Drop reason for documents the classifier scores below the threshold.</summary>
    public const string LowScoreReason = "quality.low_score";

    /// <summary>Tag on documents that were not scored: <c>language=xx</c> or <c>domain=code</c>.</summary>
    public const string SkippedTag = "quality.skipped";

    private readonly QualityClassifier _classifier;
    private readonly HashSet<string>? _languages;
    private readonly HashSet<string> _exemptDomains;

    /// <param name="classifier">Trained or loaded classifier; the filter does not own (dispose) it.</param>
    /// <param name="options">Threshold and scope; defaults as documented on <see cref="QualityFilterOptions"/>.</param>
    public QualityFilter(QualityClassifier classifier, QualityFilterOptions? options = null)
    {
        _classifier = classifier;
        Options = options ?? new QualityFilterOptions();
        if (Options.MinimumScore is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"MinimumScore ({Options.MinimumScore}) must be in [0, 1]");
        _languages = Options.Languages is null ? null : new HashSet<string>(Options.Languages, StringComparer.OrdinalIgnoreCase);
        _exemptDomains = new HashSet<string>(Options.ExemptDomains, StringComparer.OrdinalIgnoreCase);
    }

    public QualityFilterOptions Options { get; }

    public string Name => "quality-classifier";

    public StageVerdict Process(CurationDocument document)
    {
        if (_languages is not null && document.Language is { } language && !_languages.Contains(language))
            return StageVerdict.Kept(document.WithTag(SkippedTag, $"language={language}"));
        if (document.Domain is { } domain && _exemptDomains.Contains(domain))
            return StageVerdict.Kept(document.WithTag(SkippedTag, $"domain={domain}"));

        var text = Options.PrefixChars > 0 && document.Text.Length > Options.PrefixChars
            ? document.Text[..Options.PrefixChars]
            : document.Text;
        var score = _classifier.Score(text);
        return score < Options.MinimumScore
            ? StageVerdict.Dropped(LowScoreReason,
                $"score {score.ToString("F3", CultureInfo.InvariantCulture)} < {Options.MinimumScore.ToString(CultureInfo.InvariantCulture)}")
            : StageVerdict.Kept(document with { QualityScore = score });
    }
}
