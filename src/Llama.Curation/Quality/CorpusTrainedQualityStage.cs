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

    /// <summary>Where to save the trained model (ML.NET zip), for reuse with <c>quality.model</c>.</summary>
    public string? SaveModelTo { get; init; }
}

/// <summary>
/// The model-based quality filter when no trained model is supplied: the first pass labels the clear cases with
/// strict heuristics (<see cref="QualityTrainingSets.FromCorpusHeuristics"/>), keeping a bounded, order-independent
/// sample per class (the examples whose id hashes lowest); the seal trains the fastText-style classifier; the
/// second pass scores every document and drops those below the threshold, as <see cref="QualityFilter"/> does.
/// The paper trained its classifiers on Llama 2-labelled data; heuristic labels are this demo's stand-in.
/// </summary>
public sealed class CorpusTrainedQualityStage(CorpusTrainedQualityOptions? options = null) : ICorpusStage, IStageSummary, IDisposable
{
    public const string UntrainedTag = "quality.skipped";
    private readonly CorpusTrainedQualityOptions _options = options ?? new();
    private readonly object _gate = new();
    private readonly SortedDictionary<ulong, (string Text, bool Good)> _good = new(), _bad = new();
    private QualityClassifier? _classifier;
    private QualityFilter? _filter;
    private long _goodSeen, _badSeen;

    public string Name => "quality-classifier";

    public object? Summary => new { trained = _classifier is not null, good_examples = _good.Count, bad_examples = _bad.Count, good_labelled = _goodSeen, bad_labelled = _badSeen };

    public void Observe(CurationDocument document)
    {
        var filter = _options.Filter;
        if (filter.Languages is { } languages && !languages.Contains(document.Language ?? "")) return;
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
        _classifier = QualityClassifierTrainer.Train(_good.Values.Concat(_bad.Values), _options.Classifier);
        if (_options.SaveModelTo is { } path) _classifier.Save(path);
        _filter = new QualityFilter(_classifier, _options.Filter);
    }

    public StageVerdict Process(CurationDocument document) =>
        _filter?.Process(document) ?? StageVerdict.Kept(document.WithTag(UntrainedTag, "untrained"));

    public void Dispose() => _classifier?.Dispose();
}
