namespace Llama.Curation.Filters;

/// <summary>
/// Settings of <see cref="TokenDistributionFilter"/>. The Llama 3 paper (section 3.1.1) filters documents "containing
/// excessive numbers of outlier tokens compared to the training corpus distribution" by token-distribution KL
/// divergence but publishes no threshold; the defaults below are this project's choice, explained on each.
/// </summary>
public sealed record TokenDistributionFilterOptions
{
    /// <summary>
    /// Buckets of the token histogram. 2^17 = 131,072 is at least Llama 3's 128,256 ids, so tokenizer ids never share
    /// a bucket; without a tokenizer, word hashes are spread over the same buckets (collisions only blur rare words).
    /// </summary>
    public int BucketCount { get; init; } = 1 << 17;

    /// <summary>
    /// Additive (Laplace) pseudo-count per bucket of the corpus distribution, so that it is never zero where a
    /// document has mass (a document not seen in the corpus pass may hold unseen tokens).
    /// </summary>
    public double CorpusPseudoCount { get; init; } = 0.01;

    /// <summary>
    /// Tokens' worth of corpus distribution mixed into each document's distribution (Dirichlet smoothing). A 5-token
    /// page is far from any corpus distribution by chance alone; this pulls short pages toward the corpus so that
    /// shortness alone does not make an outlier, while long pages keep their own shape.
    /// </summary>
    public double DocumentPseudoTokens { get; init; } = 10;

    /// <summary>Drop only documents whose divergence is above this percentile of the corpus's own (default 0.99).</summary>
    public double Percentile { get; init; } = 0.99;

    /// <summary>
    /// And only documents whose modified z-score, 0.6745·(KL − median)/MAD, is above this (default 3.5, the outlier
    /// cut-off of Iglewicz and Hoaglin 1993), so that a corpus without outliers loses nothing to the percentile.
    /// Null leaves the percentile alone.
    /// </summary>
    public double? MinRobustZScore { get; init; } = 3.5;

    /// <summary>A fixed threshold in nats; when set it replaces the percentile and z-score rules.</summary>
    public double? AbsoluteThreshold { get; init; }

    /// <summary>
    /// Documents whose divergence the corpus statistics are taken from: the ones with the smallest hashes of their ids
    /// (a deterministic sample whatever the order documents arrive in), so memory stays bounded.
    /// </summary>
    public int SampleSize { get; init; } = 10_000;
}
