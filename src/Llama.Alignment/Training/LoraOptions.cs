using Llama.Core.Lora;
using Llama.Core.Model;

namespace Llama.Alignment.Training;

/// <summary>
/// LoRA for a training stage (<c>sft.lora</c>, <c>dpo.lora</c>): off by default (full fine-tuning, as the paper did);
/// when enabled, only the adapters train and the model is merged before it is saved.
/// </summary>
public sealed record LoraOptions : LoraConfig
{
    public bool Enabled { get; init; }

    /// <summary>Runs <paramref name="train"/> on <paramref name="model"/> with adapters attached when enabled, then merges them into the weights.</summary>
    internal T Around<T>(LlamaModel model, int seed, Func<T> train)
    {
        if (!Enabled) return train();
        LoraAdapters.Attach(model, this, seed);
        try
        {
            return train();
        }
        finally
        {
            LoraAdapters.Merge(model);
        }
    }
}
