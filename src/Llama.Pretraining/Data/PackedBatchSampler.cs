namespace Llama.Pretraining.Data;

/// <summary>
/// Training batches of packed documents drawn by domain mix (see <see cref="SequencePacker"/> for the packing and
/// masking). Each next document's domain is drawn from a seeded generator, then that domain's next document in an
/// order reshuffled each epoch. Everything follows from the seed, and <see cref="GetState"/> /
/// <see cref="RestoreState"/> resume the exact same stream after a restart.
/// </summary>
/// <remarks>
/// The mix sets shares of tokens, not of documents: a domain is drawn with probability proportional to its share
/// divided by its mean document length, so long code files do not crowd out short web pages. Batch size and
/// sequence length may change from call to call (batch ramp, context lengthening); the stream just continues.
/// </remarks>
public sealed class PackedBatchSampler
{
    private readonly TokenDataSplit _split;
    private readonly string _fingerprint;
    private readonly SequencePacker _packer;
    private long _seed;
    private Dictionary<string, DomainDocumentOrder> _orders = null!;
    private Xoshiro256StarStar _random = null!;
    private DomainMix _mix = null!;
    private (string Domain, double Cumulative)[] _draw = [];
    private string? _currentDomain;
    private int _currentDocument;

    /// <summary>Samples from <paramref name="split"/>'s training documents; validation batches come from its validation documents.</summary>
    public PackedBatchSampler(TokenDataSplit split, DomainMix mix, long seed)
    {
        if (split.Training.Count == 0) throw new ArgumentException("there are no training documents to sample", nameof(split));
        _split = split;
        _fingerprint = Fingerprint(split.Training);
        _packer = new SequencePacker(NextTrainingDocument);
        Reseed(seed);
        Mix = mix;
    }

    /// <summary>Domains with training documents, in ordinal order.</summary>
    public IReadOnlyList<string> Domains => [.. _orders.Keys];

    /// <summary>The mix the next documents are drawn by; set it between batches (e.g. for annealing).</summary>
    /// <exception cref="ArgumentException">The mix gives no weight to any domain with training documents.</exception>
    public DomainMix Mix
    {
        get => _mix;
        set
        {
            TargetShares = value.SharesOver(_orders.Keys);
            // Draw probability ∝ share / mean length, so expected tokens per domain ∝ share.
            var rates = TargetShares.Where(s => s.Value > 0).Select(s => (s.Key, Rate: s.Value / _orders[s.Key].MeanTokens)).ToArray();
            double total = rates.Sum(r => r.Rate), cumulative = 0;
            _draw = rates.Select(r => (r.Key, cumulative += r.Rate / total)).ToArray();
            _mix = value;
        }
    }

    /// <summary>The token shares the mix aims at over the domains with training documents (summing to 1).</summary>
    public IReadOnlyDictionary<string, double> TargetShares { get; private set; } = new Dictionary<string, double>();

    /// <summary>The next <paramref name="batchSize"/> packed sequences of <paramref name="sequenceLength"/> tokens.</summary>
    public Batch NextBatch(int batchSize, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        var (inputs, targets, documentIds, positions) = Allocate(batchSize * sequenceLength);
        var tokensByDomain = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int row = 0; row < batchSize; row++)
            if (!_packer.FillRow(row, sequenceLength, inputs, targets, documentIds, positions, tokensByDomain))
                throw new InvalidOperationException("the training stream ended; it cycles through epochs and should never end");
        return new Batch(inputs, targets, documentIds, positions, batchSize, sequenceLength, tokensByDomain);
    }

    /// <summary>
    /// The validation documents packed in their stored order, the same batches on every call: at most
    /// <paramref name="maxBatches"/> batches; the last may have fewer rows and end in padding (ignored targets).
    /// </summary>
    public IReadOnlyList<Batch> ValidationBatches(int batchSize, int sequenceLength, int maxBatches)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBatches);
        int next = 0;
        var packer = new SequencePacker(() => next < _split.Validation.Count ? _split.Validation[next++] : null);
        var batches = new List<Batch>();
        while (batches.Count < maxBatches)
        {
            var (inputs, targets, documentIds, positions) = Allocate(batchSize * sequenceLength);
            var tokensByDomain = new Dictionary<string, long>(StringComparer.Ordinal);
            int rows = 0;
            while (rows < batchSize && packer.FillRow(rows, sequenceLength, inputs, targets, documentIds, positions, tokensByDomain)) rows++;
            if (rows == 0) break;
            int used = rows * sequenceLength;
            batches.Add(new Batch(inputs[..used], targets[..used], documentIds[..used], positions[..used], rows, sequenceLength, tokensByDomain));
            if (rows < batchSize) break;
        }
        return batches;
    }

    /// <summary>The state to save with a checkpoint; <see cref="RestoreState"/> continues from it exactly.</summary>
    public SamplerState GetState() => new(
        _seed,
        _random.GetState(),
        _orders.Values.Select(o => new DomainCursor(o.Domain, o.Epoch, o.Position)).ToArray(),
        _packer.Current is null ? null : _currentDomain,
        _packer.Current is null ? 0 : _currentDocument,
        _packer.Offset,
        new Dictionary<string, double>(_mix.Weights, StringComparer.Ordinal),
        _fingerprint);

    /// <summary>Continues from a state taken by <see cref="GetState"/> on the same training documents.</summary>
    /// <exception cref="ArgumentException">The state was taken on other data or does not fit it.</exception>
    public void RestoreState(SamplerState state)
    {
        if (state.DataFingerprint != _fingerprint)
            throw new ArgumentException(
                $"the sampler state was taken on other training data (fingerprint {state.DataFingerprint}, this data {_fingerprint})", nameof(state));
        Reseed(state.Seed);
        _random = new Xoshiro256StarStar(state.RandomState);
        foreach (var cursor in state.Domains)
        {
            if (!_orders.TryGetValue(cursor.Domain, out var order))
                throw new ArgumentException($"the sampler state names domain '{cursor.Domain}', which has no training documents", nameof(state));
            order.MoveTo(cursor.Epoch, cursor.Position);
        }
        Mix = new DomainMix(state.MixWeights);
        if (state.CurrentDomain is null)
        {
            _packer.ContinueFrom(null, 0);
            return;
        }
        if (!_orders.TryGetValue(state.CurrentDomain, out var current) || (uint)state.CurrentDocument >= (uint)current.Documents.Count)
            throw new ArgumentException($"the sampler state's current document {state.CurrentDomain}#{state.CurrentDocument} is not in the training data", nameof(state));
        _currentDomain = state.CurrentDomain;
        _currentDocument = state.CurrentDocument;
        _packer.ContinueFrom(current.Documents[state.CurrentDocument], state.CurrentOffset);
    }

    private void Reseed(long seed)
    {
        _seed = seed;
        _random = new Xoshiro256StarStar((ulong)seed);
        _orders = _split.Training.GroupBy(d => d.Domain, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new DomainDocumentOrder(g.Key, g.ToArray(), (ulong)seed), StringComparer.Ordinal);
    }

    private TokenDocument NextTrainingDocument()
    {
        double u = _random.NextDouble();
        // The last entry catches u at the top when rounding leaves its cumulative share a hair below 1.
        var domain = Array.Find(_draw, d => u < d.Cumulative).Domain ?? _draw[^1].Domain;
        var order = _orders[domain];
        _currentDomain = domain;
        _currentDocument = order.Next();
        return order.Documents[_currentDocument];
    }

    private static (long[], long[], long[], long[]) Allocate(int length) => (new long[length], new long[length], new long[length], new long[length]);

    private static string Fingerprint(IReadOnlyList<TokenDocument> documents)
    {
        ulong hash = StableHash.Mix((ulong)documents.Count);
        foreach (var d in documents)
            hash = StableHash.Combine(StableHash.Combine(hash, StableHash.Of(d.Id)), StableHash.Combine(StableHash.Of(d.Domain), (ulong)d.Length));
        return hash.ToString("x16");
    }
}
