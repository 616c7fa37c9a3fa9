namespace Llama.Core.Tokenization;

/// <summary>Options for <see cref="BpeTrainer"/>.</summary>
/// <param name="VocabSize">
/// Number of base ranks to learn, the 256 single bytes included. Llama 3's 256 special tokens come on top:
/// 8192 gives a tokenizer with 8192 + 256 = 8448 ids. Training stops earlier when no pair occurs
/// <paramref name="MinFrequency"/> times any more, so the result can be smaller.
/// </param>
/// <param name="Pattern">Pre-tokenization regex; merges never cross its pieces. Llama 3's by default.</param>
/// <param name="MinFrequency">A pair must occur at least this often (weighted by word counts) to be merged.</param>
/// <param name="MaxDegreeOfParallelism">Threads for counting words; null uses all cores. Results do not depend on it.</param>
public sealed record BpeTrainerOptions(
    int VocabSize,
    string Pattern = Llama3SplitPattern.Value,
    int MinFrequency = 2,
    int? MaxDegreeOfParallelism = null)
{
    internal void Validate()
    {
        if (VocabSize < 256)
            throw new ArgumentOutOfRangeException(nameof(VocabSize), VocabSize, "VocabSize must be at least 256 (the single bytes).");
        if (MinFrequency < 1)
            throw new ArgumentOutOfRangeException(nameof(MinFrequency), MinFrequency, "MinFrequency must be at least 1.");
        if (string.IsNullOrEmpty(Pattern))
            throw new ArgumentException("Pattern must be a non-empty regex.", nameof(Pattern));
        if (MaxDegreeOfParallelism is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "Must be at least 1.");
    }
}

/// <summary>Which part of training is running.</summary>
public enum BpeTrainingStage
{
    /// <summary>Splitting texts with the regex and counting distinct pieces; Done counts texts.</summary>
    CountingWords,
    /// <summary>Learning merges; Done counts ranks so far, Total is the requested vocabulary size.</summary>
    Merging,
}

/// <summary>Training progress; <paramref name="Total"/> is null while unknown.</summary>
public sealed record BpeTrainingProgress(BpeTrainingStage Stage, long Done, long? Total);
