using TorchSharp;

namespace Llama.Core.Checkpoints;

/// <summary>Named tensors read from a checkpoint (one safetensors file, or a sharded Hugging Face directory).</summary>
public interface ICheckpointReader : IDisposable
{
    /// <summary>All tensor names, in storage order.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>True when the checkpoint holds a tensor of that name.</summary>
    bool Contains(string name);

    /// <summary>Dtype, shape and offsets of a tensor.</summary>
    /// <exception cref="TensorNotFoundException">No such tensor.</exception>
    TensorInfo GetInfo(string name);

    /// <summary>A new CPU tensor with the stored dtype and shape; the data is copied. The caller disposes it.</summary>
    /// <exception cref="TensorNotFoundException">No such tensor.</exception>
    torch.Tensor ReadTensor(string name);

    /// <summary>
    /// Copies a stored tensor into <paramref name="destination"/> (e.g. a model parameter), converting the dtype when
    /// they differ (file BF16 into an F32 parameter) and crossing devices when the destination is not on the CPU.
    /// </summary>
    /// <exception cref="TensorNotFoundException">No such tensor.</exception>
    /// <exception cref="TensorShapeMismatchException">The shapes differ.</exception>
    void CopyInto(string name, torch.Tensor destination);
}
