using Llama.Core.Model;
using Llama.Pretraining.Parallel.ProcessGroups;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// Megatron-style tensor parallelism applied from outside to an unmodified <see cref="LlamaModel"/> (torchtitan's
/// <c>parallelize_llama</c>): q/k/v/gate/up become column-parallel (each rank keeps its slice of output rows:
/// whole attention heads, a slice of the FFN), o/down row-parallel (the matching input columns), the embedding and
/// the output head vocabulary-parallel. Collectives sit in forward hooks as autograd functions: <c>f</c> on the
/// outputs of the norms that feed column-parallel layers, <c>g</c> on the outputs of the row-parallel layers and of
/// the embedding. The loss must then be <see cref="VocabParallelCrossEntropy"/> on the local logits.
/// </summary>
public static class TensorParallel
{
    /// <summary>Shards <paramref name="model"/>'s weights in place for rank <c>tp.Rank</c> of <paramref name="tp"/> and installs the hooks.</summary>
    public static void Apply(LlamaModel model, IProcessGroup tp)
    {
        if (tp.Size == 1) return;
        int rank = tp.Rank, size = tp.Size;
        var decoder = model.Decoder;
        foreach (var layer in decoder.Layers)
        {
            var attention = layer.SelfAttention;
            var mlp = layer.Mlp;
            foreach (var column in new[] { attention.QProj, attention.KProj, attention.VProj, mlp.GateProj, mlp.UpProj })
                Shard(column, dim: 0, rank, size);
            foreach (var row in new[] { attention.OProj, mlp.DownProj })
            {
                Shard(row, dim: 1, rank, size);
                row.register_forward_hook((_, _, output) => CollectiveFunctions.ReduceFromParallelRegion(output, tp));
            }
            foreach (var norm in new[] { layer.InputNorm, layer.PostAttentionNorm })
                norm.register_forward_hook((_, _, output) => CollectiveFunctions.CopyToParallelRegion(output, tp));
        }
        decoder.Norm.register_forward_hook((_, _, output) => CollectiveFunctions.CopyToParallelRegion(output, tp));
        if (model.LmHead is { } head) Shard(head, dim: 0, rank, size);
        ShardEmbedding(decoder.EmbedTokens, tp);
    }

    /// <summary>The first vocabulary id of this rank's slice.</summary>
    public static long VocabStart(LlamaModel model, IProcessGroup tp) => model.Config.VocabSize / tp.Size * tp.Rank;

    /// <summary>The dimension along which a parameter of this name is split over TP, or null when it is replicated (norms).</summary>
    public static int? ShardDimension(string name) => name switch
    {
        _ when name.EndsWith("o_proj.weight") || name.EndsWith("down_proj.weight") => 1,
        _ when name.EndsWith("_proj.weight") || name.EndsWith("embed_tokens.weight") || name == "lm_head.weight" => 0,
        _ => null,
    };

    /// <summary>This rank's slice of a full parameter (or of a tensor shaped like it, such as an AdamW moment).</summary>
    public static Tensor Slice(string name, Tensor full, IProcessGroup tp)
    {
        if (ShardDimension(name) is not { } dim || tp.Size == 1) return full.alias();
        long part = full.shape[dim] / tp.Size;
        return full.narrow(dim, part * tp.Rank, part);
    }

    /// <summary>
    /// Vocabulary-parallel embedding: ids outside this rank's rows are looked up as row 0 and zeroed, then the
    /// ranks' partial embeddings are summed (g), so every rank ends with the full embedding of every token.
    /// </summary>
    private static void ShardEmbedding(Embedding embedding, IProcessGroup tp)
    {
        long rows = embedding.weight!.shape[0] / tp.Size, start = rows * tp.Rank;
        Shard(embedding, dim: 0, tp.Rank, tp.Size);
        Tensor? outside = null;
        embedding.register_forward_pre_hook((_, ids) =>
        {
            var local = ids - start;
            outside = local.lt(0).logical_or(local.ge(rows));
            return local.masked_fill(outside, 0);
        });
        embedding.register_forward_hook((_, _, output) =>
            CollectiveFunctions.ReduceFromParallelRegion(output.masked_fill(outside!.unsqueeze(-1), 0.0), tp));
    }

    private static void Shard(nn.Module module, int dim, int rank, int size)
    {
        using var noGrad = no_grad();
        var full = module switch
        {
            Linear linear => linear.weight!,
            Embedding embedding => embedding.weight!,
            _ => throw new ArgumentException($"cannot shard a {module.GetType().Name}"),
        };
        long part = full.shape[dim] / size;
        var slice = new TorchSharp.Modules.Parameter(full.narrow(dim, part * rank, part).contiguous().clone());
        switch (module)
        {
            case Linear linear: linear.weight = slice; break;
            case Embedding embedding: embedding.weight = slice; break;
        }
        full.Dispose();
    }
}
