using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Serving.Engine;

/// <summary>
/// Runs <see cref="LlamaModel"/> over the paged cache. Prefill feeds one prompt (its uncached part) per forward
/// pass, exactly the shapes <c>LlamaGenerator</c> uses, so a prompt's logits do not depend on what else is
/// running; decode feeds one new token for every running sequence in a single batched pass.
/// </summary>
internal sealed class ModelRunner(LlamaModel model, PagedKvCache cache)
{
    public LlamaModel Model { get; } = model;

    /// <summary>Computes keys/values for the sequence's uncached tokens; returns next-token logits [1, V] (float32).</summary>
    public Tensor Prefill(Sequence sequence)
    {
        int start = sequence.ComputedLength;
        int count = sequence.Tokens.Count - start;
        var ids = new long[count];
        for (int i = 0; i < count; i++) ids[i] = sequence.Tokens[start + i];
        var input = tensor(ids, ScalarType.Int64, Model.Device).view(1, count);
        var batch = new PagedBatch(cache, [sequence.BlockTable], [start], count);
        var logits = Model.Forward(input, batch, lastPositionOnly: true); // [1, 1, V]
        sequence.ComputedLength = start + count;
        return logits.squeeze(1).to(ScalarType.Float32);
    }

    /// <summary>Feeds each sequence's newest token in one batch; returns next-token logits [B, V] (float32).</summary>
    public Tensor Decode(IReadOnlyList<Sequence> sequences)
    {
        var ids = new long[sequences.Count];
        var starts = new int[sequences.Count];
        for (int i = 0; i < sequences.Count; i++)
        {
            ids[i] = sequences[i].Tokens[^1];
            starts[i] = sequences[i].ComputedLength;
        }
        var input = tensor(ids, ScalarType.Int64, Model.Device).view(sequences.Count, 1);
        var batch = new PagedBatch(cache, sequences.Select(s => (IReadOnlyList<int>)s.BlockTable).ToList(), starts, 1);
        var logits = Model.Forward(input, batch, lastPositionOnly: true); // [B, 1, V]
        foreach (var s in sequences) s.ComputedLength++;
        return logits.squeeze(1).to(ScalarType.Float32);
    }
}
