using Llama.Core.Config;

namespace Llama.Pretraining.Optimization;

/// <summary>
/// Model FLOPs utilisation (PaLM, arXiv 2204.02311, appendix B): the fraction of the device's peak that the
/// model's own training arithmetic uses, <c>tokens/s × training FLOPs per token / peak FLOP/s</c>. Recomputation
/// and other overheads do not count, so it compares runs fairly; Llama 3 405B reached 38–43% of BF16 peak on H100s
/// ("The Llama 3 Herd of Models", arXiv 2407.21783, table 4).
/// </summary>
public static class Mfu
{
    /// <summary>MFU as a fraction (0.43 = 43%).</summary>
    public static double Compute(double tokensPerSecond, double trainingFlopsPerToken, double peakFlops)
    {
        if (!(tokensPerSecond >= 0) || double.IsInfinity(tokensPerSecond))
            throw new ArgumentOutOfRangeException(nameof(tokensPerSecond), tokensPerSecond, "MFU: tokens per second must be finite and >= 0.");
        if (!(trainingFlopsPerToken > 0) || double.IsInfinity(trainingFlopsPerToken))
            throw new ArgumentOutOfRangeException(nameof(trainingFlopsPerToken), trainingFlopsPerToken, "MFU: FLOPs per token must be finite and > 0.");
        if (!(peakFlops > 0) || double.IsInfinity(peakFlops))
            throw new ArgumentOutOfRangeException(nameof(peakFlops), peakFlops, "MFU: peak FLOP/s must be finite and > 0.");
        return tokensPerSecond * trainingFlopsPerToken / peakFlops;
    }

    /// <summary>MFU of training <paramref name="config"/> at <paramref name="contextLength"/>, FLOPs from <see cref="ModelSize.TrainingFlopsPerToken"/>.</summary>
    public static double Compute(double tokensPerSecond, LlamaConfig config, int contextLength, double peakFlops) =>
        Compute(tokensPerSecond, ModelSize.TrainingFlopsPerToken(config, contextLength), peakFlops);
}
