namespace Llama.Pretraining.Data;

/// <summary>
/// Everything a <see cref="PackedBatchSampler"/> needs to continue exactly where it stopped, as plain values that
/// serialize to JSON (saved beside each checkpoint). Shuffled orders are not stored: they are recomputed from
/// <see cref="Seed"/>, the domain and the epoch.
/// </summary>
/// <param name="Seed">The sampler's seed.</param>
/// <param name="RandomState">The xoshiro256** state of the domain draws (four words).</param>
/// <param name="Domains">Per domain: which epoch of its shuffled order, and how far into it.</param>
/// <param name="CurrentDomain">Domain of the partly consumed document, or null before the first batch.</param>
/// <param name="CurrentDocument">Index of that document in its domain's training documents (shard/row order).</param>
/// <param name="CurrentOffset">Its next token to read: the first input of the next sequence.</param>
/// <param name="MixWeights">The domain mix in force.</param>
/// <param name="DataFingerprint">A hash of the training documents, so a state is not restored onto other data.</param>
public sealed record SamplerState(
    long Seed,
    ulong[] RandomState,
    IReadOnlyList<DomainCursor> Domains,
    string? CurrentDomain,
    int CurrentDocument,
    int CurrentOffset,
    IReadOnlyDictionary<string, double> MixWeights,
    string DataFingerprint);

/// <summary>Where a domain's document order stands: <paramref name="Position"/> documents into epoch <paramref name="Epoch"/>.</summary>
public sealed record DomainCursor(string Domain, int Epoch, int Position);
