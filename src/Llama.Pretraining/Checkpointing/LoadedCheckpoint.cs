using System.Text.Json.Nodes;
using Llama.Core;
using Llama.Core.Checkpoints;
using Llama.Core.Config;
using Llama.Core.Model;

namespace Llama.Pretraining.Checkpointing;

/// <summary>
/// A training checkpoint opened for resuming: readers over its model and optimizer tensors (memory-mapped, read
/// on demand, so the caller copies each into its live parameter or buffer with <c>CopyInto</c>), the trainer
/// state as it was saved, and the model config. Dispose to unmap the files.
/// </summary>
public sealed class LoadedCheckpoint : IDisposable
{
    internal LoadedCheckpoint(CheckpointInfo info, LlamaConfig config, string trainerStateJson, SafetensorsReader model, SafetensorsReader optimizer)
    {
        Info = info;
        Config = config;
        TrainerStateJson = trainerStateJson;
        Model = model;
        Optimizer = optimizer;
    }

    /// <summary>Where the checkpoint is and which step it holds.</summary>
    public CheckpointInfo Info { get; }

    /// <summary>The model config saved with it.</summary>
    public LlamaConfig Config { get; }

    /// <summary>The trainer state exactly as given to <see cref="TrainingCheckpointStore.Save(long, IEnumerable{KeyValuePair{string, TorchSharp.torch.Tensor}}, IEnumerable{KeyValuePair{string, TorchSharp.torch.Tensor}}, string, LlamaConfig)"/>.</summary>
    public string TrainerStateJson { get; }

    /// <summary>Model weights under Hugging Face names.</summary>
    public SafetensorsReader Model { get; }

    /// <summary>Optimizer buffers under the names the trainer saved them with.</summary>
    public SafetensorsReader Optimizer { get; }

    /// <summary>The trainer state parsed: a new object on every call, so callers may change it freely.</summary>
    public JsonObject ParseTrainerState() => JsonNode.Parse(TrainerStateJson)!.AsObject();

    /// <summary>Copies every weight into <paramref name="model"/>, rejecting missing, unexpected and mis-shaped tensors.</summary>
    public void LoadWeightsInto(LlamaModel model) => LlamaDirectory.LoadWeights(model, Model, Model.Path);

    /// <summary>Unmaps both tensor files.</summary>
    public void Dispose()
    {
        Model.Dispose();
        Optimizer.Dispose();
    }
}
