using Llama.Core.Model;
using Llama.Pretraining.Parallel.ProcessGroups;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// Context parallelism as the Llama 3 paper does it (section 3.3.2): the sequence is cut into 2 x CP chunks and rank
/// r keeps chunks r and 2·CP−1−r, so every rank gets the same share of the causal mask's work; each attention layer
/// all-gathers the keys and values (after RoPE) over the CP group and attends its local queries to the whole
/// sequence. Backward reduce-scatters the key/value gradients. Installed from outside through
/// <see cref="LlamaAttention.KeyValueExchange"/>.
/// </summary>
public sealed class ContextParallel(IProcessGroup cp)
{
    public int Size => cp.Size;

    /// <summary>The global positions this rank holds, in local order: chunk r, then chunk 2·CP−1−r.</summary>
    public long[] LocalPositions(int sequenceLength)
    {
        int chunk = sequenceLength / (2 * cp.Size);
        return [.. Chunk(cp.Rank, chunk), .. Chunk(2 * cp.Size - 1 - cp.Rank, chunk)];
    }

    /// <summary>This rank's part of a [B, T] tensor along the sequence.</summary>
    public Tensor Slice(Tensor full) => cp.Size == 1 ? full : full.index_select(1, tensor(LocalPositions((int)full.shape[1]), device: full.device));

    /// <summary>
    /// The document-causal mask of this rank's queries against every key: [B, 1, T/CP, T], true where key position
    /// ≤ query position and both lie in the same packed document (the Llama 3 document mask).
    /// </summary>
    public Tensor Mask(Tensor documentIds)
    {
        if (cp.Size == 1) return AttentionMasks.Document(documentIds);
        using var scope = NewDisposeScope();
        long t = documentIds.shape[1];
        var queries = tensor(LocalPositions((int)t), device: documentIds.device);
        var keys = arange(t, ScalarType.Int64, documentIds.device);
        var causal = keys.unsqueeze(0).le(queries.unsqueeze(1)); // [Tq, T]
        var sameDocument = documentIds.index_select(1, queries).unsqueeze(2).eq(documentIds.unsqueeze(1)); // [B, Tq, T]
        return sameDocument.logical_and(causal).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Makes every attention layer of <paramref name="model"/> exchange keys and values over the CP group.</summary>
    public void Apply(LlamaModel model)
    {
        if (cp.Size == 1) return;
        foreach (var layer in model.Decoder.Layers) layer.SelfAttention.KeyValueExchange = GatherSequence;
    }

    /// <summary>[B, kv, T/CP, d] local keys or values → [B, kv, T, d] in global sequence order.</summary>
    private Tensor GatherSequence(Tensor local)
    {
        long b = local.shape[0], heads = local.shape[1], tLocal = local.shape[2], d = local.shape[3];
        var stacked = CollectiveFunctions.AllGatherStacked(local.contiguous(), cp); // [CP, B, kv, T/CP, d], rank-major
        var rankMajor = stacked.permute(1, 2, 0, 3, 4).reshape(b, heads, cp.Size * tLocal, d);
        return rankMajor.index_select(2, tensor(GlobalOrder((int)(cp.Size * tLocal)), device: local.device));
    }

    /// <summary>For each global position, where it sits in the rank-major concatenation of the ranks' local sequences.</summary>
    private long[] GlobalOrder(int sequenceLength)
    {
        int chunk = sequenceLength / (2 * cp.Size);
        var order = new long[sequenceLength];
        for (int j = 0; j < sequenceLength; j++)
        {
            int g = j / chunk;
            int owner = g < cp.Size ? g : 2 * cp.Size - 1 - g, half = g < cp.Size ? 0 : 1;
            order[j] = (long)owner * 2 * chunk + half * chunk + j % chunk;
        }
        return order;
    }

    private static IEnumerable<long> Chunk(int index, int chunk) => Enumerable.Range(index * chunk, chunk).Select(i => (long)i);
}
