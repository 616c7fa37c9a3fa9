using System.IO.Hashing;
using System.Text;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Quality;

/// <summary>How the quality classifier is trained when no model is given: from the corpus itself.</summary>
public sealed record CorpusTrainedQualityOptions
{
    public QualityFilterOptions Filter { get; init; } = new();
    public QualityClassifierOptions Classifier { get; init; } = new();

    /// <summary>At most this many heuristically labelled examples per class (good, bad) are kept for training.</summary>
    public int MaxExamplesPerClass { get; init; } = 2000;

    /// <summary>Fewer examples of either class than this and no classifier is trained: documents pass, tagged.</summary>
    public int MinExamplesPerClass { get; init; } = 20;

    /// <summary>Where to save the trained model (ML.NET zip), for reuse with <c>qualityModel</c>.</summary>
    public string? SaveModelTo { get; init; }
}

/// <summary>
/// Trains the fastText-style quality classifier on the corpus itself, for when no model is supplied. It stands early
/// in the pipeline (before the heuristic filters remove the bad examples it learns from): its first pass labels the
/// clear cases with strict heuristics (<see cref="QualityTrainingSets.FromCorpusHeuristics"/>), keeping a bounded,
/// order-independent sample per class (the examples whose id hashes lowest); its seal trains the model; it drops
/// nothing. <see cref="TrainedQualityFilter"/>, later in the pipeline, scores with that model. The paper trained its
/// classifiers on Llama 2-labelled data; heuristic labels are this demo's stand-in.
/// </summary>
public sealed class QualityModelTraining(CorpusTrainedQualityOptions? options = null) : ICorpusStage, IStageSummary, IDisposable
{
    private readonly CorpusTrainedQualityOptions _options = options ?? new();
    private readonly object _gate = new();
    private readonly SortedDictionary<ulong, (string Text, bool Good)> _good = new(), _bad = new();
    private long _goodSeen, _badSeen;

    public string Name => "quality-training";

    public CorpusTrainedQualityOptions Options => _options;

    /// <summary>The trained model after <see cref="Seal"/>; null when the corpus gave too few examples of a class.</summary>
    public QualityClassifier? Classifier { get; private set; }

    public object? Summary => new { trained = Classifier is not null, good_examples = _good.Count, bad_examples = _bad.Count, good_labelled = _goodSeen, bad_labelled = _badSeen };

    public void Observe(CurationDocument document)
    {
        var filter = _options.Filter;
        // Language is not known yet this early: the heuristics themselves are English-only and skip other text.
        if (document.Domain is { } domain && filter.ExemptDomains.Contains(domain)) return;
        string text = document.Text.Length > filter.PrefixChars ? document.Text[..filter.PrefixChars] : document.Text;
        foreach (var example in QualityTrainingSets.FromCorpusHeuristics([text]))
        {
            ulong key = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(document.Id));
            lock (_gate)
            {
                var sample = example.Good ? _good : _bad;
                if (example.Good) _goodSeen++; else _badSeen++;
                sample[key] = example;
                if (sample.Count > _options.MaxExamplesPerClass) sample.Remove(sample.Keys.Last());
            }
        }
    }

    public void Seal()
    {
        if (_good.Count < _options.MinExamplesPerClass || _bad.Count < _options.MinExamplesPerClass) return;
        Classifier = QualityClassifierTrainer.Train(_good.Values.Concat(_bad.Values), _options.Classifier);
        if (_options.SaveModelTo is { } path) Classifier.Save(path);
    }

    public StageVerdict Process(CurationDocument document) => StageVerdict.Kept(document);

    public void Dispose() => Classifier?.Dispose();
}

/// <summary>
/// The model-based quality filter with the model <see cref="QualityModelTraining"/> trained earlier in the same run:
/// every document scored into <c>QualityScore</c>, those below the threshold dropped (<see cref="QualityFilter"/>).
/// With no model (too few examples) documents pass, tagged <c>quality.skipped=untrained</c>.
/// </summary>
public sealed class TrainedQualityFilter(QualityModelTraining training) : IDocumentStage
{
    public const string UntrainedTag = "quality.skipped";
    private QualityFilter? _filter;

    public string Name => "quality-classifier";

    public StageVerdict Process(CurationDocument document)
    {
        if (training.Classifier is null) return StageVerdict.Kept(document.WithTag(UntrainedTag, "untrained"));
        var filter = LazyInitializer.EnsureInitialized(ref _filter, () => new QualityFilter(training.Classifier, training.Options.Filter));
        return filter.Process(document);
    }
}
