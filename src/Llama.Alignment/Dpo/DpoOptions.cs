using Llama.Alignment.Data;
using Llama.Alignment.Training;

namespace Llama.Alignment.Dpo;

/// <summary>
/// DPO settings. β = 0.1 and the NLL coefficient 0.2 are the paper's (section 4.1.4); the paper's learning rate is
/// 1e-5 for 405B, the tiny default here is larger.
/// </summary>
public sealed record DpoOptions
{
    public TrainingOptions Training { get; init; } = new() { LearningRate = 5e-5, Steps = 60, WarmupSteps = 5, BatchSize = 8 };
    public double Beta { get; init; } = 0.1;
    public PreferenceLossKind Loss { get; init; } = PreferenceLossKind.Sigmoid;
    public double NllCoefficient { get; init; } = 0.2;
    public OverlongPolicy Overlong { get; init; } = OverlongPolicy.Skip;
    /// <summary>Low-rank adapters on the policy; the reference stays the starting weights (its log-probs are cached first).</summary>
    public LoraOptions Lora { get; init; } = new();

    public void Validate()
    {
        Training.Validate("dpo.training");
        if (Lora.Enabled) Lora.Validate("dpo.lora");
        if (!(Beta > 0)) throw new ArgumentException($"dpo.beta ({Beta}) must be > 0");
        if (!(NllCoefficient >= 0)) throw new ArgumentException($"dpo.nllCoefficient ({NllCoefficient}) must be >= 0");
    }
}
