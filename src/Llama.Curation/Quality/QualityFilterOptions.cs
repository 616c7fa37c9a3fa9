namespace Llama.Curation.Quality;

/// <summary>Options of <see cref="QualityFilter"/>.</summary>
public sealed record QualityFilterOptions
{
    /// <summary>
    /// Documents scoring below this probability of "good" are dropped. The paper gives no threshold; DCLM keeps its
    /// top 10% and FineWeb-Edu keeps scores ≥ 3 of 5, both with far better classifiers than a demo one trained on
    /// heuristic labels. 0.2 drops only what the classifier is fairly sure is bad; 0 scores without dropping.
    /// </summary>
    public double MinimumScore { get; init; } = 0.2;

    /// <summary>
    /// Languages the classifier was trained on: documents labelled with another language are kept unscored (a
    /// classifier trained on English prose would otherwise judge every other language "bad"). Documents without a
    /// language are scored. Null scores every language.
    /// </summary>
    public IReadOnlyList<string>? Languages { get; init; } = ["en"];

    /// <summary>
    /// Domains kept unscored: a prose classifier calls code and formulas low quality, and the paper gives code and
    /// reasoning data their own pipelines (section 3.1.1). Only applies when <c>Domain</c> is already set, so run
    /// the domain classifier first.
    /// </summary>
    public IReadOnlyList<string> ExemptDomains { get; init; } = ["code", "math"];

    /// <summary>Characters of each document scored (from its start), bounding the cost of huge documents. 0 = all.</summary>
    public int PrefixChars { get; init; } = 20_000;
}
