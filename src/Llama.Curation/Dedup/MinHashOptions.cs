namespace Llama.Curation.Dedup;

/// <summary>What MinHash shingles: word n-grams (datatrove/FineWeb) or character n-grams (NeMo Curator).</summary>
public enum ShingleKind
{
    /// <summary>n consecutive words of the simplified text (lowercase, no punctuation or accents, digits as 0).</summary>
    Words,

    /// <summary>n consecutive characters of the normalized text (NFKC, lowercase, whitespace collapsed).</summary>
    Characters,
}

/// <summary>
/// Options of <see cref="MinHashDeduplicator"/>. The defaults are datatrove's <c>MinhashConfig</c> as FineWeb ran it:
/// 5-word shingles, 14 bands x 8 rows = 112 hashes. <see cref="NeMoCharacters"/> gives NeMo Curator's defaults.
/// </summary>
public sealed record MinHashOptions
{
    /// <summary>Words (default) or characters.</summary>
    public ShingleKind Shingles { get; init; } = ShingleKind.Words;

    /// <summary>Shingle length: 5 words (datatrove <c>n_grams=5</c>), or 24 characters for NeMo.</summary>
    public int ShingleSize { get; init; } = 5;

    /// <summary>LSH bands: 14 (datatrove <c>num_buckets=14</c>).</summary>
    public int Bands { get; init; } = 14;

    /// <summary>Hashes per band: 8 (datatrove <c>hashes_per_bucket=8</c>).</summary>
    public int RowsPerBand { get; init; } = 8;

    /// <summary>
    /// Candidate pairs (sharing a band) are linked only when the fraction of equal signature slots, an unbiased
    /// estimate of their Jaccard similarity, is at least this. 0.7 sits just under the 14 x 8 S-curve's midpoint
    /// (1/14)^(1/8) ≈ 0.72: it drops the pairs that a single lucky band collision brings in (at Jaccard 0.5 one band
    /// in fourteen still collides 5% of the time) while keeping the near-duplicates the bands are tuned to find.
    /// datatrove links every candidate (set 0 to do the same); NeMo Curator verifies true Jaccard at 0.8, which
    /// needs the texts we do not keep.
    /// </summary>
    public double MinEstimatedJaccard { get; init; } = 0.7;

    /// <summary>Seed of the hash permutations (datatrove's <c>seed=1</c>); the same seed gives the same result.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Signature length: <see cref="Bands"/> x <see cref="RowsPerBand"/>.</summary>
    public int HashCount => Bands * RowsPerBand;

    /// <summary>NeMo Curator's fuzzy-dedup defaults: character 24-grams, 20 bands x 13 hashes.</summary>
    public static MinHashOptions NeMoCharacters => new()
    {
        Shingles = ShingleKind.Characters,
        ShingleSize = 24,
        Bands = 20,
        RowsPerBand = 13,
    };

    internal void Validate()
    {
        if (ShingleSize < 1) throw new ArgumentOutOfRangeException(nameof(ShingleSize), $"ShingleSize ({ShingleSize}) must be at least 1");
        if (Bands < 1) throw new ArgumentOutOfRangeException(nameof(Bands), $"Bands ({Bands}) must be at least 1");
        if (RowsPerBand < 1) throw new ArgumentOutOfRangeException(nameof(RowsPerBand), $"RowsPerBand ({RowsPerBand}) must be at least 1");
        if (MinEstimatedJaccard is < 0 or > 1 || double.IsNaN(MinEstimatedJaccard))
            throw new ArgumentOutOfRangeException(nameof(MinEstimatedJaccard), $"MinEstimatedJaccard ({MinEstimatedJaccard}) must be in [0, 1]");
    }
}
