using Llama.Pretraining.Parallel.ProcessGroups;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// Data parallelism over the DP x CP group. Sharded (FSDP / ZeRO-3 style, the default): each rank keeps 1/N of every
/// parameter (flattened, zero-padded to a multiple of N) with its gradient and AdamW state; before the step the full
/// parameters are all-gathered, after backward the gradients are reduce-scattered (summed) in FP32 back onto the
/// shards, and the optimizer steps on shards only. Replicated: every rank keeps everything and gradients are
/// all-reduced. Simplification, said plainly: the gathered full parameters are kept for the whole step
/// (forward and backward) rather than re-gathered per layer, so activations-time memory is that of FSDP with
/// <c>reshard_after_forward=False</c>; parameters, gradients and optimizer state between steps are sharded.
/// </summary>
public sealed class DataParallel : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Full)> _parameters;
    private readonly List<Parameter> _shards = [];
    private readonly IProcessGroup _group;

    public DataParallel(IReadOnlyList<(string Name, Parameter Full)> parameters, IProcessGroup group, bool sharded)
    {
        _parameters = parameters;
        _group = group;
        Sharded = sharded && group.Size > 1;
        if (!Sharded) return;
        using var noGrad = no_grad();
        foreach (var (_, full) in parameters) _shards.Add(new Parameter(ShardOf(full.detach())));
    }

    /// <summary>This rank's flat, zero-padded shard of a tensor shaped like one of the parameters (a copy); the tensor itself when not sharded.</summary>
    public Tensor ShardOf(Tensor local)
    {
        if (!Sharded) return local.clone();
        using var scope = NewDisposeScope();
        long shard = ShardLength(local);
        return Padded(local.flatten(), shard * _group.Size).narrow(0, shard * _group.Rank, shard).clone().MoveToOuterDisposeScope();
    }

    public bool Sharded { get; }

    /// <summary>What the optimizer steps: the shards (sharded) or the full parameters (replicated), with the parameters' names.</summary>
    public IReadOnlyList<(string Name, Parameter Param)> OptimizedParameters => Sharded
        ? _parameters.Select((p, i) => (p.Name, _shards[i])).ToList()
        : _parameters.Select(p => (p.Name, p.Full)).ToList();

    /// <summary>Whether this rank's copy counts once in a sum over the DP x CP group (replicated copies count on rank 0 only).</summary>
    public bool HoldsUniqueCopy => Sharded || _group.Rank == 0;

    /// <summary>Sharded: writes the all-gathered full values into the model's parameters.</summary>
    public void GatherParameters()
    {
        if (!Sharded) return;
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            using var scope = NewDisposeScope();
            var full = _parameters[i].Full;
            var gathered = _group.AllGather(_shards[i].detach()).flatten();
            full.copy_(gathered.narrow(0, 0, full.NumberOfElements).view(full.shape));
        }
    }

    /// <summary>Sums the gradients over the group: onto the shards (reduce-scatter) or in place (all-reduce).</summary>
    public void ReduceGradients()
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var full = _parameters[i].Full;
            if (full.grad is not { } grad) continue;
            if (!Sharded)
            {
                if (_group.Size > 1) _group.AllReduce(grad);
                continue;
            }
            using (var scope = NewDisposeScope())
            {
                long shard = ShardLength(full);
                var padded = Padded(grad.flatten(), shard * _group.Size).view(_group.Size, shard).contiguous();
                var reduced = _group.ReduceScatter(padded);
                if (_shards[i].grad is { } existing) existing.add_(reduced);
                else _shards[i].grad = reduced.DetachFromDisposeScope();
            }
            full.grad = null;
            grad.Dispose();
        }
    }

    private long ShardLength(Tensor full) => (full.NumberOfElements + _group.Size - 1) / _group.Size;

    private static Tensor Padded(Tensor flat, long length) =>
        flat.shape[0] == length ? flat.contiguous() : nn.functional.pad(flat, [0, length - flat.shape[0]]);

    public void Dispose()
    {
        foreach (var shard in _shards) shard.Dispose();
        _shards.Clear();
    }
}
