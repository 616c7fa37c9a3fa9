using Llama.Core.Config;
using Llama.Pretraining.Parallel.ProcessGroups;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// The analytical traffic of one training step for world rank 0 (tp, cp, pp, dp coordinates 0: the first pipeline
/// stage), in payload bytes handed to each kind of operation, FP32, from the model shape and the layout alone, to
/// set beside what the process groups count. Per rank, with b = B/dp sequences of t = T/cp tokens, L/pp layers:
/// TP: 4 all-reduces of [b, t, hidden] per layer (g after o and down forward, f before q/k/v and gate/up backward),
/// one for the embedding, one for the final norm and three [b·t] for the vocabulary-parallel loss on the last stage;
/// CP: all-gather of K and V per layer forward, reduce-scatter of their cp-fold gradients backward;
/// PP: the first stage sends [b, t, hidden] of activations per step; DP over dp·cp ranks: sharded, an all-gather of
/// the shards plus a reduce-scatter of the padded gradients, replicated, an all-reduce of the gradients; plus the
/// scalars (gradient norm, loss).
/// </summary>
public static class CommunicationModel
{
    public static IReadOnlyDictionary<string, long> RankZeroBytesPerStep(LlamaConfig model, ParallelDimensions layout, int sequences, int sequenceLength)
    {
        const long f32 = 4;
        int tp = layout.Tp, cp = layout.Cp, pp = layout.Pp, dpcp = layout.Dp * layout.Cp;
        long rows = sequences / layout.Dp, tokens = sequenceLength / cp, h = model.HiddenSize, d = model.EffectiveHeadDim;
        long layers = model.NumHiddenLayers / pp, activation = rows * tokens * h * f32;
        bool lastStage = pp == 1;
        var bytes = new Dictionary<string, long>(CommunicationCounters.Kinds.ToDictionary(k => k, _ => 0L));
        if (tp > 1)
        {
            bytes["all-reduce"] += layers * 4 * activation + activation; // layers, embedding
            if (lastStage) bytes["all-reduce"] += activation + 3 * rows * tokens * f32; // final norm, loss
        }
        if (cp > 1)
        {
            long keys = rows * (model.EffectiveKeyValueHeads / tp) * tokens * d * f32;
            bytes["all-gather"] += layers * 2 * keys;
            bytes["reduce-scatter"] += layers * 2 * cp * keys;
        }
        if (pp > 1) bytes["send"] += activation;
        if (dpcp > 1)
            foreach (long numel in RankZeroParameterSizes(model, layout))
            {
                long shard = (numel + dpcp - 1) / dpcp;
                if (layout.ShardedDataParallel)
                {
                    bytes["all-gather"] += shard * f32;
                    bytes["reduce-scatter"] += shard * dpcp * f32;
                }
                else bytes["all-reduce"] += numel * f32;
            }
        // Scalars in float64: the gradient norm over the world, the loss over pp and over dp x cp.
        if (layout.WorldSize > 1) bytes["all-reduce"] += 8;
        if (pp > 1) bytes["all-reduce"] += 8;
        if (dpcp > 1) bytes["all-reduce"] += 8;
        return bytes;
    }

    /// <summary>Element counts of the first stage's parameters as tensor parallelism leaves them.</summary>
    private static IEnumerable<long> RankZeroParameterSizes(LlamaConfig m, ParallelDimensions layout)
    {
        long h = m.HiddenSize, q = (long)m.NumAttentionHeads * m.EffectiveHeadDim, kv = (long)m.EffectiveKeyValueHeads * m.EffectiveHeadDim;
        long ffn = m.IntermediateSize, tp = layout.Tp;
        yield return m.VocabSize / tp * h;
        for (int layer = 0; layer < m.NumHiddenLayers / layout.Pp; layer++)
        {
            yield return q / tp * h;
            yield return kv / tp * h;
            yield return kv / tp * h;
            yield return h * (q / tp);
            yield return ffn / tp * h;
            yield return ffn / tp * h;
            yield return h * (ffn / tp);
            yield return h;
            yield return h;
        }
        if (layout.Pp > 1) yield break;
        yield return h;
        if (!m.TieWordEmbeddings) yield return m.VocabSize / tp * h;
    }
}
