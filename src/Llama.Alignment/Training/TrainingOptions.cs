using Llama.Core.Training;

namespace Llama.Alignment.Training;

/// <summary>
/// The optimisation settings every alignment stage shares: AdamW, linear warm-up then cosine decay to a tenth of the
/// peak, gradient clipping. Defaults are sized for the tiny models here; the paper used a peak of 1e-5 for SFT and
/// DPO of the 405B model (section 4.1.3-4.1.4), TRL defaults to 2e-5 (SFT), 1e-4 (reward), 1e-6 (DPO).
/// </summary>
public sealed record TrainingOptions
{
    public double LearningRate { get; init; } = 3e-4;
    public int Steps { get; init; } = 200;
    public int WarmupSteps { get; init; } = 10;
    /// <summary>Sequences (SFT: packed rows; RM and DPO: pairs) per step.</summary>
    public int BatchSize { get; init; } = 8;
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Llama 2's chat fine-tuning used 0.1 (section 3.1); small runs need none.</summary>
    public double WeightDecay { get; init; }
    public int Seed { get; init; } = 1;

    public LearningRateSchedule Schedule() => new LearningRateSchedule
    {
        PeakLearningRate = LearningRate, MinLearningRate = LearningRate / 10, WarmupSteps = Math.Min(WarmupSteps, Steps - 1),
        DecaySteps = Steps - Math.Min(WarmupSteps, Steps - 1), TotalSteps = Steps,
    }.Validate();

    public void Validate(string where)
    {
        if (Steps <= 0) throw new ArgumentException($"{where}.steps ({Steps}) must be > 0");
        if (BatchSize <= 0) throw new ArgumentException($"{where}.batchSize ({BatchSize}) must be > 0");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"{where}.learningRate ({LearningRate}) must be finite and > 0");
        if (WarmupSteps < 0) throw new ArgumentException($"{where}.warmupSteps ({WarmupSteps}) must be >= 0");
        if (!(MaxGradNorm > 0)) throw new ArgumentException($"{where}.maxGradNorm ({MaxGradNorm}) must be > 0");
    }
}
