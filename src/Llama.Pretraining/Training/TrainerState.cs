using Llama.Pretraining.Data;

namespace Llama.Pretraining.Training;

/// <summary>
/// What a checkpoint needs besides weights and optimizer moments for a resumed run to continue exactly: where the
/// schedule is, where the data is, and what has been measured so far.
/// </summary>
public sealed record TrainerState
{
    /// <summary>Completed optimizer steps (the next step to run).</summary>
    public long Step { get; init; }
    public long TokensSeen { get; init; }
    public required SamplerState Sampler { get; init; }
    public double? LastLoss { get; init; }
    /// <summary>Steps whose checkpoints are averaged into the final model (annealing).</summary>
    public IReadOnlyList<long> AnnealCheckpointSteps { get; init; } = [];
    public IReadOnlyList<LossPoint> TrainLoss { get; init; } = [];
    public IReadOnlyList<LossPoint> ValidationLoss { get; init; } = [];
}

/// <summary>A loss value at a step (nats per token).</summary>
public sealed record LossPoint(long Step, double Loss);
