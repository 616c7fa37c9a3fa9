namespace Llama.Curation.Quality;

/// <summary>
/// How <see cref="QualityClassifierTrainer"/> builds its fastText-style linear classifier: a bag of word n-grams and
/// character n-grams, then logistic regression. The Llama 3 paper (section 3.1.1) trains fastText on "is this text
/// likely to be referenced by Wikipedia"; DCLM's fastText quality classifier (OH-2.5 + ELI5) uses word bigrams, which
/// is our default. Character n-grams add what fastText gets from subwords and catch garbled text.
/// </summary>
public sealed record QualityClassifierOptions
{
    /// <summary>Seed of the ML.NET context: with it and one training thread, training is deterministic.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Longest word n-gram (all shorter ones are included too). fastText/DCLM: <c>wordNgrams 2</c>.</summary>
    public int WordNgramLength { get; init; } = 2;

    /// <summary>Character n-gram length (ML.NET's default is 3; fastText subwords are 3-6).</summary>
    public int CharNgramLength { get; init; } = 3;

    /// <summary>L2 regularisation of SDCA; null lets ML.NET pick from the data.</summary>
    public float? L2Regularization { get; init; }

    /// <summary>Passes over the data; null lets ML.NET decide (it stops at convergence).</summary>
    public int? MaximumNumberOfIterations { get; init; }
}
