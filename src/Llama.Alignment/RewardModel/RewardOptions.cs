using Llama.Alignment.Data;
using Llama.Alignment.Training;

namespace Llama.Alignment.RewardModel;

/// <summary>Reward model training: its schedule (pairs per step) and the overlong policy.</summary>
public sealed record RewardOptions
{
    public TrainingOptions Training { get; init; } = new() { LearningRate = 3e-4, Steps = 100, WarmupSteps = 10, BatchSize = 8 };
    public OverlongPolicy Overlong { get; init; } = OverlongPolicy.Skip;
}
