using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Pretraining.Data;

/// <summary>
/// A batch of packed sequences, row-major [<see cref="BatchSize"/>, <see cref="SequenceLength"/>]:
/// <see cref="Targets"/> are the inputs shifted by one, <see cref="IgnoreIndex"/> where a target would cross into
/// the next document; <see cref="DocumentIds"/> number the documents of each row from 0 (the attention mask keeps
/// each position inside its document) and <see cref="Positions"/> restart at 0 at each document start (RoPE).
/// </summary>
/// <param name="TokensByDomain">Input tokens of the batch per domain, to log the achieved mix.</param>
public sealed record Batch(
    long[] InputIds,
    long[] Targets,
    long[] DocumentIds,
    long[] Positions,
    int BatchSize,
    int SequenceLength,
    IReadOnlyDictionary<string, long> TokensByDomain)
{
    /// <summary>The target that the loss skips: PyTorch's <c>cross_entropy</c> default <c>ignore_index</c>.</summary>
    public const long IgnoreIndex = -100;

    /// <summary>Targets the loss counts (not <see cref="IgnoreIndex"/>).</summary>
    public int PredictedTokens => Targets.Count(t => t != IgnoreIndex);

    /// <summary>
    /// The batch as int64 tensors [B, T] on <paramref name="device"/>, ready for
    /// <c>model.Forward(inputIds, positions: positions, documentIds: documentIds)</c> and
    /// <c>cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index: -100)</c>. The caller disposes them.
    /// </summary>
    public (Tensor InputIds, Tensor Targets, Tensor DocumentIds, Tensor Positions) ToTensors(Device device)
    {
        long[] shape = [BatchSize, SequenceLength];
        return (Make(InputIds), Make(Targets), Make(DocumentIds), Make(Positions));

        Tensor Make(long[] values) => torch.tensor(values, shape, ScalarType.Int64, device);
    }
}
