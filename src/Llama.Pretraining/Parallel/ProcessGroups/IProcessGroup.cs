using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>How <see cref="IProcessGroup.AllReduce"/> combines the ranks' values.</summary>
public enum ReduceOperation { Sum, Max }

/// <summary>
/// A group of ranks that run collectives together (torch.distributed's ProcessGroup): MPI for CPU processes,
/// NCCL for CUDA devices, and an in-process backend (threads) for unit tests. Tensors must be contiguous and
/// live where the backend expects them (CPU for MPI, CUDA for NCCL). Every blocking call gives up after
/// <see cref="Timeout"/> with a <see cref="CollectiveTimeoutException"/>, so a dead or stuck peer stops the
/// others with an error instead of a hang.
/// </summary>
public interface IProcessGroup : IDisposable
{
    /// <summary>What this group is (world, tp, cp, pp, dp): error messages name it.</summary>
    string Name { get; }
    int Rank { get; }
    int Size { get; }
    TimeSpan Timeout { get; }

    /// <summary>Payload bytes this rank handed to each kind of operation in groups of more than one (the benchmark's traffic figures).</summary>
    CommunicationCounters Counters { get; }

    /// <summary>Combines <paramref name="tensor"/> over the group, in place.</summary>
    void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum);

    /// <summary>Every rank's <paramref name="input"/> stacked in rank order: [Size, ...input.shape].</summary>
    Tensor AllGather(Tensor input);

    /// <summary>Sums <paramref name="input"/> [Size, ...] over the group and returns this rank's slice input[Rank].</summary>
    Tensor ReduceScatter(Tensor input);

    /// <summary>Copies <paramref name="root"/>'s tensor into every rank's <paramref name="tensor"/>.</summary>
    void Broadcast(Tensor tensor, int root);

    /// <summary>Starts sending <paramref name="tensor"/> to <paramref name="destination"/>; the tensor must stay unchanged until the returned send completes.</summary>
    PendingSend Send(Tensor tensor, int destination, int tag);

    /// <summary>Receives into <paramref name="tensor"/> (its shape and dtype must match the sender's) from <paramref name="source"/>.</summary>
    void Receive(Tensor tensor, int source, int tag);

    void Barrier();

    /// <summary>
    /// Collective over this group: ranks passing the same <paramref name="color"/> form a new group, ordered by
    /// <paramref name="key"/> (MPI_Comm_split).
    /// </summary>
    IProcessGroup Split(int color, int key, string name);
}

/// <summary>A send in flight; <see cref="Wait"/> returns once the tensor may be reused.</summary>
public abstract class PendingSend
{
    public abstract void Wait();

    /// <summary>A send that completed when it was posted (buffered backends).</summary>
    public static readonly PendingSend Completed = new CompletedSend();

    private sealed class CompletedSend : PendingSend
    {
        public override void Wait() { }
    }
}

/// <summary>Payload bytes per kind of operation, counted by the rank that calls it.</summary>
public sealed class CommunicationCounters
{
    private readonly long[] _bytes = new long[Kinds.Length];

    public static readonly string[] Kinds = ["all-reduce", "all-gather", "reduce-scatter", "broadcast", "send"];

    public void Add(string kind, long bytes) => Interlocked.Add(ref _bytes[Array.IndexOf(Kinds, kind)], bytes);

    public long this[string kind] => Interlocked.Read(ref _bytes[Array.IndexOf(Kinds, kind)]);

    public long Total => _bytes.Sum();

    public IReadOnlyDictionary<string, long> Snapshot() => Kinds.ToDictionary(k => k, k => this[k]);
}

/// <summary>A collective or point-to-point operation did not complete in time: a peer rank died or is stuck.</summary>
public sealed class CollectiveTimeoutException(string message) : Exception(message);

/// <summary>A process group was used wrongly (shapes, ranks, dtypes) or its backend failed.</summary>
public sealed class ProcessGroupException(string message) : Exception(message);
