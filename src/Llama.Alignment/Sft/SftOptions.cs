using Llama.Alignment.Data;
using Llama.Alignment.Training;

namespace Llama.Alignment.Sft;

/// <summary>
/// SFT settings: its own schedule (<see cref="Training"/>), the packed row length, the overlong policy and optional LoRA. 400 steps
/// are about eleven passes over the task data: at 200 the model had learnt the answers' shape without the rule (held-out
/// units 0 % on tiny, 10 % on smoke), at 400 held-out units reach 15 % on tiny, 98 % on smoke (docs/BENCHMARKS.md,
/// alignment recipe).
/// </summary>
public sealed record SftOptions
{
    public TrainingOptions Training { get; init; } = new() { LearningRate = 2e-3, Steps = 400, WarmupSteps = 10, BatchSize = 8 };
    /// <summary>Tokens per packed row (about six task examples); 0 = the model's context.</summary>
    public int RowLength { get; init; } = 128;
    public OverlongPolicy Overlong { get; init; } = OverlongPolicy.Skip;
    /// <summary>Low-rank adapters instead of full fine-tuning (for models too large to train whole).</summary>
    public LoraOptions Lora { get; init; } = new();
    /// <summary>
    /// The curation stage's token shards (its output folder, or the <c>tokens/</c> folder in it) to keep training on
    /// beside the chat rows (<see cref="PretrainingText"/>); null: chat rows only.
    /// </summary>
    public string? PretrainingTokens { get; init; }
    /// <summary>
    /// Rows of pretraining text added to each batch of <see cref="TrainingOptions.BatchSize"/> chat rows; their mean loss
    /// is added to the chat loss. On `tiny` one row kept prose and lifted held-out units; two kept prose too but units
    /// fell (docs/BENCHMARKS.md).
    /// </summary>
    public int PretrainingRowsPerBatch { get; init; } = 1;
    /// <summary>At most this many pretraining tokens are read (windows are drawn from them at random).</summary>
    public int PretrainingMaxTokens { get; init; } = 2_000_000;

    public void Validate()
    {
        Training.Validate("sft.training");
        if (PretrainingTokens is not null && PretrainingRowsPerBatch <= 0) throw new ArgumentException($"sft.pretrainingRowsPerBatch ({PretrainingRowsPerBatch}) must be > 0 when sft.pretrainingTokens is set");
        if (PretrainingMaxTokens < 2) throw new ArgumentException($"sft.pretrainingMaxTokens ({PretrainingMaxTokens}) must be >= 2");
        if (Lora.Enabled) Lora.Validate("sft.lora");
    }
}
