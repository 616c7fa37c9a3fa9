using Llama.Alignment.Data;
using Llama.Alignment.Training;

namespace Llama.Alignment.Sft;

/// <summary>SFT settings: its own schedule (<see cref="Training"/>), the packed row length and the overlong policy.</summary>
public sealed record SftOptions
{
    public TrainingOptions Training { get; init; } = new() { LearningRate = 1e-3, Steps = 150, WarmupSteps = 10, BatchSize = 8 };
    /// <summary>Tokens per packed row; 0 = the model's context.</summary>
    public int RowLength { get; init; } = 256;
    public OverlongPolicy Overlong { get; init; } = OverlongPolicy.Skip;
}
