using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>
/// The checks and traffic counting every backend shares; a backend implements the operations on contiguous
/// tensors of matching shapes.
/// </summary>
public abstract class ProcessGroupBase(string name, int rank, int size, TimeSpan timeout) : IProcessGroup
{
    public string Name { get; } = name;
    public int Rank { get; } = rank;
    public int Size { get; } = size;
    public TimeSpan Timeout { get; } = timeout;
    public CommunicationCounters Counters { get; } = new();

    public void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
    {
        RequireContiguous(tensor, "all-reduce");
        if (Size == 1) return;
        Count("all-reduce", tensor);
        AllReduceCore(tensor, operation);
    }

    public Tensor AllGather(Tensor input)
    {
        RequireContiguous(input, "all-gather");
        var output = empty([Size, .. input.shape], input.dtype, input.device);
        if (Size == 1) output[0].copy_(input);
        else
        {
            Count("all-gather", input);
            AllGatherCore(input, output);
        }
        return output;
    }

    public Tensor ReduceScatter(Tensor input)
    {
        RequireContiguous(input, "reduce-scatter");
        if (input.dim() == 0 || input.shape[0] != Size)
            throw new ProcessGroupException($"{Name}: reduce-scatter needs an input of shape [{Size}, ...]; got [{string.Join(", ", input.shape)}]");
        if (Size == 1) return input[0].clone();
        Count("reduce-scatter", input);
        var output = empty(input.shape[1..], input.dtype, input.device);
        ReduceScatterCore(input, output);
        return output;
    }

    public void Broadcast(Tensor tensor, int root)
    {
        RequireContiguous(tensor, "broadcast");
        RequireRank(root, "broadcast root");
        if (Size == 1) return;
        if (Rank == root) Count("broadcast", tensor);
        BroadcastCore(tensor, root);
    }

    public PendingSend Send(Tensor tensor, int destination, int tag)
    {
        RequireContiguous(tensor, "send");
        RequireRank(destination, "send destination");
        Count("send", tensor);
        return SendCore(tensor, destination, tag);
    }

    public void Receive(Tensor tensor, int source, int tag)
    {
        RequireContiguous(tensor, "receive");
        RequireRank(source, "receive source");
        ReceiveCore(tensor, source, tag);
    }

    public void Barrier()
    {
        if (Size > 1) BarrierCore();
    }

    public abstract IProcessGroup Split(int color, int key, string name);

    protected abstract void AllReduceCore(Tensor tensor, ReduceOperation operation);
    protected abstract void AllGatherCore(Tensor input, Tensor output);
    protected abstract void ReduceScatterCore(Tensor input, Tensor output);
    protected abstract void BroadcastCore(Tensor tensor, int root);
    protected abstract PendingSend SendCore(Tensor tensor, int destination, int tag);
    protected abstract void ReceiveCore(Tensor tensor, int source, int tag);
    protected abstract void BarrierCore();

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>The error a backend throws when an operation outlives <see cref="Timeout"/>.</summary>
    protected CollectiveTimeoutException TimedOut(string operation) => new(
        $"rank {Rank} of group '{Name}' (size {Size}): {operation} did not complete within {Timeout.TotalSeconds:0} s; " +
        "a peer rank has died or is stuck, so this rank stops instead of waiting forever");

    /// <summary>Payload this rank hands to an operation that really communicates (groups of one do not count).</summary>
    private void Count(string kind, Tensor tensor) => Counters.Add(kind, tensor.NumberOfElements * tensor.ElementSize);

    private void RequireContiguous(Tensor tensor, string operation)
    {
        if (!tensor.is_contiguous()) throw new ProcessGroupException($"{Name}: {operation} needs a contiguous tensor");
    }

    private void RequireRank(int rank, string what)
    {
        if (rank < 0 || rank >= Size) throw new ProcessGroupException($"{Name}: {what} {rank} is outside the group's ranks [0, {Size})");
    }
}
