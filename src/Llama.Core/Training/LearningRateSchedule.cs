namespace Llama.Core.Training;

/// <summary>
/// The Llama 3 learning-rate schedule as data: linear warm-up to the peak, cosine decay to a floor, and a final
/// linear anneal to exactly zero. "The Llama 3 Herd of Models" (arXiv 2407.21783) section 3.4.1: 405B used a peak of
/// 8e-5, 8,000 warm-up steps and cosine decay to 8e-7 over 1,200,000 steps; section 3.4.3: over the last 40M tokens
/// the rate goes linearly to 0 (annealing). <see cref="At"/> is a pure function of the step, so a resumed run
/// follows the same curve exactly.
/// </summary>
/// <remarks>
/// Steps are 0-based optimizer updates: <c>At(s)</c> is the rate for the update that turns step count s into s+1;
/// the run has <see cref="TotalSteps"/> updates, s = 0 .. TotalSteps−1.
/// <list type="bullet">
/// <item>Warm-up, s &lt; W: <c>peak · (s+1)/W</c>. It starts above zero (a zero-rate update wastes a batch) and reaches
/// the peak at s = W−1; torchtitan's warm-up likewise counts from step 1.</item>
/// <item>Cosine, from the peak at s = W−1 over <see cref="DecaySteps"/> D updates:
/// <c>min + (peak − min) · (1 + cos(π·(s−W+1)/D))/2</c>, reaching the floor at s = W−1+D and staying there.</item>
/// <item>Anneal, the last A updates (s ≥ TotalSteps−A): from the value v at s₀ = TotalSteps−A−1 (the last update
/// before annealing, or the peak when the anneal starts right after warm-up) linearly to 0:
/// <c>v · (TotalSteps−1−s)/A</c>, exactly 0 at s = TotalSteps−1.</item>
/// </list>
/// </remarks>
public sealed record LearningRateSchedule
{
    /// <summary>The rate warm-up reaches and cosine decay starts from (405B: 8e-5; 8B: 3e-4; 70B: 1.5e-4).</summary>
    public required double PeakLearningRate { get; init; }

    /// <summary>The floor cosine decay ends at (the paper: 8e-7 = peak/100 for 405B; peak/10 is also common).</summary>
    public required double MinLearningRate { get; init; }

    /// <summary>Updates of linear warm-up (405B: 8,000); 0 starts at the peak.</summary>
    public required long WarmupSteps { get; init; }

    /// <summary>Updates of cosine decay after warm-up (405B: 1,200,000); 0 drops to the floor after warm-up.</summary>
    public required long DecaySteps { get; init; }

    /// <summary>Final updates of the linear anneal to zero; 0 for none.</summary>
    public long AnnealSteps { get; init; }

    /// <summary>Updates in the whole run, anneal included.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>The first update of the anneal (equal to <see cref="TotalSteps"/> when there is none).</summary>
    public long AnnealStartStep => TotalSteps - AnnealSteps;

    /// <summary>The learning rate of update <paramref name="step"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is negative or past the run.</exception>
    /// <exception cref="ScheduleConfigException">The schedule itself is invalid.</exception>
    public double At(long step)
    {
        Validate();   // a handful of comparisons; cheaper than a division by a zero step count going unnoticed
        if (step < 0 || step >= TotalSteps)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Learning-rate schedule: step must be in [0, {TotalSteps}).");
        if (step < AnnealStartStep) return BeforeAnneal(step);
        // (TotalSteps - 1 - step) is an exact integer, so the last update gets exactly 0.
        return BeforeAnneal(AnnealStartStep - 1) * (TotalSteps - 1 - step) / AnnealSteps;
    }

    /// <summary>Warm-up then cosine then floor; defined for s ≥ −1 so the anneal can start right at step 0.</summary>
    private double BeforeAnneal(long step)
    {
        if (step < WarmupSteps - 1) return PeakLearningRate * (step + 1) / WarmupSteps;
        long sincePeak = step - (WarmupSteps - 1);
        if (sincePeak >= DecaySteps) return sincePeak == 0 ? PeakLearningRate : MinLearningRate;
        double progress = (double)sincePeak / DecaySteps;
        return MinLearningRate + (PeakLearningRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>Throws <see cref="ScheduleConfigException"/> naming the first field out of range.</summary>
    public LearningRateSchedule Validate()
    {
        if (!(PeakLearningRate > 0) || double.IsInfinity(PeakLearningRate))
            throw new ScheduleConfigException($"learning-rate schedule: PeakLearningRate ({PeakLearningRate}) must be finite and > 0.");
        if (!(MinLearningRate >= 0) || MinLearningRate > PeakLearningRate)
            throw new ScheduleConfigException($"learning-rate schedule: MinLearningRate ({MinLearningRate}) must be in [0, PeakLearningRate ({PeakLearningRate})].");
        if (WarmupSteps < 0) throw new ScheduleConfigException($"learning-rate schedule: WarmupSteps ({WarmupSteps}) must be >= 0.");
        if (DecaySteps < 0) throw new ScheduleConfigException($"learning-rate schedule: DecaySteps ({DecaySteps}) must be >= 0.");
        if (AnnealSteps < 0) throw new ScheduleConfigException($"learning-rate schedule: AnnealSteps ({AnnealSteps}) must be >= 0.");
        if (TotalSteps <= 0) throw new ScheduleConfigException($"learning-rate schedule: TotalSteps ({TotalSteps}) must be > 0.");
        if (AnnealStartStep < WarmupSteps)
            throw new ScheduleConfigException(
                $"learning-rate schedule: the anneal (last {AnnealSteps} of {TotalSteps} steps) must start after warm-up ({WarmupSteps} steps).");
        return this;
    }
}
