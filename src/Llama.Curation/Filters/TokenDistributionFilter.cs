using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Llama.Core.Tokenization;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Filters;

/// <summary>
/// The Llama 3 paper's token-distribution Kullback-Leibler filter (section 3.1.1). Pass 1 (<see cref="Observe"/>)
/// adds every document's token counts to a corpus histogram; <see cref="Seal"/> fixes the corpus distribution q and
/// the threshold; pass 2 (<see cref="Process"/>) computes KL(p‖q) in nats for each document's (smoothed) distribution p
/// and drops those above the threshold with <c>kl.outlier</c>, tagging <c>kl.divergence</c> on the rest.
/// The threshold is the larger of a percentile and a robust z-score cut-off of the divergences of a sample of the
/// corpus itself, or a fixed value (<see cref="TokenDistributionFilterOptions"/>). Results do not depend on the order
/// or the threads documents arrive on.
/// </summary>
public sealed class TokenDistributionFilter : ICorpusStage
{
    private readonly TokenDistributionFilterOptions _options;
    private readonly Llama3Tokenizer? _tokenizer;
    private readonly long[] _corpusCounts;
    private long _corpusTotal;
    private readonly object _sampleLock = new();
    // Max-heap on the sample key (the largest key leaves first), so the kept entries are the smallest keys.
    private readonly PriorityQueue<SampledDocument, SampleKey> _sample = new(Comparer<SampleKey>.Create((a, b) => b.CompareTo(a)));
    private volatile bool _sealed;
    private double[] _logCorpusProbabilities = [];
    private double[] _corpusProbabilities = [];

    /// <summary>
    /// A filter counting <paramref name="tokenizer"/>'s ids (e.g. the Llama 3 tokenizer), or hashed words when it is
    /// null; <paramref name="options"/> default to <see cref="TokenDistributionFilterOptions"/>'s values.
    /// </summary>
    public TokenDistributionFilter(TokenDistributionFilterOptions? options = null, Llama3Tokenizer? tokenizer = null)
    {
        _options = options ?? new TokenDistributionFilterOptions();
        if (_options.BucketCount < 2) throw new ArgumentOutOfRangeException(nameof(options), "BucketCount must be at least 2");
        if (_options.Percentile is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), "Percentile must be in [0, 1]");
        if (_options.CorpusPseudoCount <= 0) throw new ArgumentOutOfRangeException(nameof(options), "CorpusPseudoCount must be positive");
        if (_options.DocumentPseudoTokens < 0) throw new ArgumentOutOfRangeException(nameof(options), "DocumentPseudoTokens must not be negative");
        if (_options.SampleSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "SampleSize must be at least 1");
        _tokenizer = tokenizer;
        _corpusCounts = new long[_options.BucketCount];
    }

    /// <inheritdoc />
    public string Name => "token-kl";

    /// <summary>The document's divergence from the corpus is above the threshold.</summary>
    public const string OutlierReason = "kl.outlier";
    /// <summary>Tag with the divergence in nats (invariant culture, 4 decimals) on kept documents.</summary>
    public const string DivergenceTag = "kl.divergence";

    /// <summary>The drop threshold in nats, known after <see cref="Seal"/>.</summary>
    public double Threshold { get; private set; } = double.PositiveInfinity;

    /// <summary>Tokens counted in the corpus pass.</summary>
    public long CorpusTokens => Interlocked.Read(ref _corpusTotal);

    /// <inheritdoc />
    public void Observe(CurationDocument document)
    {
        if (_sealed) throw new InvalidOperationException($"{Name}: Observe was called after Seal");
        var histogram = TokenHistogram.Of(document.Text, _tokenizer, _options.BucketCount);
        for (var i = 0; i < histogram.Buckets.Length; i++)
            Interlocked.Add(ref _corpusCounts[histogram.Buckets[i]], histogram.Counts[i]);
        Interlocked.Add(ref _corpusTotal, histogram.Total);

        var key = new SampleKey(Hash(document.Id), document.Id, Hash(document.Text));
        lock (_sampleLock)
        {
            if (_sample.Count < _options.SampleSize) _sample.Enqueue(new SampledDocument(histogram), key);
            else if (_sample.TryPeek(out _, out var largest) && key.CompareTo(largest) < 0)
                _sample.EnqueueDequeue(new SampledDocument(histogram), key);
        }
    }

    /// <inheritdoc />
    public void Seal()
    {
        lock (_sampleLock)
        {
            if (_sealed) throw new InvalidOperationException($"{Name}: Seal was called twice");
            var buckets = _options.BucketCount;
            var denominator = _corpusTotal + _options.CorpusPseudoCount * buckets;
            _corpusProbabilities = new double[buckets];
            _logCorpusProbabilities = new double[buckets];
            for (var b = 0; b < buckets; b++)
            {
                _corpusProbabilities[b] = (_corpusCounts[b] + _options.CorpusPseudoCount) / denominator;
                _logCorpusProbabilities[b] = Math.Log(_corpusProbabilities[b]);
            }

            var divergences = _sample.UnorderedItems.Select(e => Divergence(e.Element.Histogram)).ToArray();
            Array.Sort(divergences);
            Threshold = ChooseThreshold(divergences);
            _sample.Clear();
            _sealed = true;
        }
    }

    /// <inheritdoc />
    public StageVerdict Process(CurationDocument document)
    {
        if (!_sealed) throw new InvalidOperationException($"{Name}: Process was called before Seal");
        var divergence = Divergence(TokenHistogram.Of(document.Text, _tokenizer, _options.BucketCount));
        if (divergence > Threshold)
            return StageVerdict.Dropped(OutlierReason, $"KL(doc||corpus) {divergence:0.###} nats > {Threshold:0.###}");
        return StageVerdict.Kept(document.WithTag(DivergenceTag, divergence.ToString("0.####", CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// KL(p‖q) with p_i = (n_i + β q_i) / (n + β). Buckets the document lacks have p_i = λ q_i with λ = β / (n + β),
    /// so their terms sum in closed form to λ ln λ (1 − Σ_{i∈doc} q_i) and only the document's buckets are visited.
    /// </summary>
    private double Divergence(TokenHistogram histogram)
    {
        if (histogram.Total == 0) return 0;
        double beta = _options.DocumentPseudoTokens, n = histogram.Total;
        double divergence = 0, documentCorpusMass = 0;
        for (var i = 0; i < histogram.Buckets.Length; i++)
        {
            var bucket = histogram.Buckets[i];
            var q = _corpusProbabilities[bucket];
            var p = (histogram.Counts[i] + beta * q) / (n + beta);
            divergence += p * (Math.Log(p) - _logCorpusProbabilities[bucket]);
            documentCorpusMass += q;
        }
        var lambda = beta / (n + beta);
        if (lambda > 0) divergence += lambda * Math.Log(lambda) * (1 - documentCorpusMass);
        return Math.Max(0, divergence);
    }

    private double ChooseThreshold(double[] sortedDivergences)
    {
        if (_options.AbsoluteThreshold is { } absolute) return absolute;
        if (sortedDivergences.Length == 0) return double.PositiveInfinity;
        var threshold = Quantile(sortedDivergences, _options.Percentile);
        if (_options.MinRobustZScore is { } z)
        {
            var median = Quantile(sortedDivergences, 0.5);
            var deviations = sortedDivergences.Select(d => Math.Abs(d - median)).Order().ToArray();
            var mad = Quantile(deviations, 0.5);
            threshold = Math.Max(threshold, median + z * mad / 0.6745);
        }
        return threshold;
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default percentile).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    private static ulong Hash(string value) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(value.AsSpan()));

    private sealed record SampledDocument(TokenHistogram Histogram);

    private readonly record struct SampleKey(ulong IdHash, string Id, ulong TextHash) : IComparable<SampleKey>
    {
        public int CompareTo(SampleKey other)
        {
            var byHash = IdHash.CompareTo(other.IdHash);
            if (byHash != 0) return byHash;
            var byId = string.CompareOrdinal(Id, other.Id);
            return byId != 0 ? byId : TextHash.CompareTo(other.TextHash);
        }
    }
}
