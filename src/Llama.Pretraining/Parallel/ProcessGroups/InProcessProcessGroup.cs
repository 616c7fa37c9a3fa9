using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>
/// A process group whose ranks are threads of one process, for unit tests of the parallel layers only (it
/// copies tensors through shared memory; nothing about it is distributed). Collectives meet at a
/// <see cref="System.Threading.Barrier"/>: each rank deposits its tensor, all read every deposit, and a second
/// barrier frees the slots; sends are buffered queues.
/// </summary>
public sealed class InProcessProcessGroup : ProcessGroupBase
{
    private readonly SharedState _shared;

    private InProcessProcessGroup(SharedState shared, int rank, string name, TimeSpan timeout) : base(name, rank, shared.Size, timeout) => _shared = shared;

    /// <summary>The world group of each of <paramref name="size"/> ranks; hand element i to the thread that plays rank i.</summary>
    public static IReadOnlyList<IProcessGroup> CreateWorld(int size, TimeSpan? timeout = null)
    {
        var shared = new SharedState(size);
        return Enumerable.Range(0, size).Select(r => (IProcessGroup)new InProcessProcessGroup(shared, r, "world", timeout ?? TimeSpan.FromSeconds(60))).ToList();
    }

    public override IProcessGroup Split(int color, int key, string name)
    {
        var all = Exchange((color, key));
        var members = Enumerable.Range(0, Size).Where(r => all[r].color == color).OrderBy(r => all[r].key).ThenBy(r => r).ToList();
        // Every member asks for the same (split number, color) pair, so they share one state.
        var shared = _shared.Children.GetOrAdd((_shared.SplitCount(Rank), color), _ => new SharedState(members.Count));
        Exchange(0); // everyone has taken its child before the next split reuses the counter
        return new InProcessProcessGroup(shared, members.IndexOf(Rank), name, Timeout);
    }

    protected override void AllReduceCore(Tensor tensor, ReduceOperation operation)
    {
        using var scope = NewDisposeScope();
        var all = Exchange(tensor.clone());
        var result = operation == ReduceOperation.Sum ? AddInRankOrder(all) : all.Aggregate(maximum);
        tensor.copy_(result);
        Exchange(0);
    }

    protected override void AllGatherCore(Tensor input, Tensor output)
    {
        using var scope = NewDisposeScope();
        var all = Exchange(input.clone());
        for (int r = 0; r < Size; r++) output[r].copy_(all[r]);
        Exchange(0);
    }

    protected override void ReduceScatterCore(Tensor input, Tensor output)
    {
        using var scope = NewDisposeScope();
        var all = Exchange(input.clone());
        output.copy_(AddInRankOrder(all.Select(t => t[Rank]).ToArray()));
        Exchange(0);
    }

    protected override void BroadcastCore(Tensor tensor, int root)
    {
        using var scope = NewDisposeScope();
        var all = Exchange(Rank == root ? tensor.clone() : null);
        if (Rank != root) tensor.copy_(all[root]!);
        Exchange(0);
    }

    protected override PendingSend SendCore(Tensor tensor, int destination, int tag)
    {
        _shared.Mailbox(Rank, destination, tag).Add(tensor.detach().clone().DetachFromDisposeScope());
        return PendingSend.Completed;
    }

    protected override void ReceiveCore(Tensor tensor, int source, int tag)
    {
        if (!_shared.Mailbox(source, Rank, tag).TryTake(out var message, Timeout)) throw TimedOut($"receive from rank {source} (tag {tag})");
        using (message)
        {
            if (!message.shape.SequenceEqual(tensor.shape))
                throw new ProcessGroupException($"{Name}: rank {Rank} expected [{string.Join(", ", tensor.shape)}] from rank {source}, got [{string.Join(", ", message.shape)}]");
            tensor.copy_(message);
        }
    }

    protected override void BarrierCore() => Exchange(0);

    /// <summary>Deposits this rank's value, waits for all, and returns every rank's deposit.</summary>
    private T[] Exchange<T>(T value)
    {
        _shared.Slots[Rank] = value;
        if (!_shared.Barrier.SignalAndWait(Timeout)) throw TimedOut("collective");
        var all = _shared.Slots.Select(s => (T)s!).ToArray();
        if (!_shared.Barrier.SignalAndWait(Timeout)) throw TimedOut("collective");
        return all;
    }

    /// <summary>Sums in rank order on every rank, so all ranks get bit-identical results (as MPI's reductions guarantee).</summary>
    private static Tensor AddInRankOrder(IReadOnlyList<Tensor> tensors)
    {
        var sum = tensors[0].clone();
        for (int i = 1; i < tensors.Count; i++) sum.add_(tensors[i]);
        return sum;
    }

    private sealed class SharedState(int size)
    {
        private readonly int[] _splits = new int[size];
        private readonly ConcurrentDictionary<(int, int, int), BlockingCollection<Tensor>> _mailboxes = new();

        public int Size { get; } = size;
        public Barrier Barrier { get; } = new(size);
        public object?[] Slots { get; } = new object?[size];
        public ConcurrentDictionary<(int, int), SharedState> Children { get; } = new();

        public int SplitCount(int rank) => _splits[rank]++;

        public BlockingCollection<Tensor> Mailbox(int from, int to, int tag) => _mailboxes.GetOrAdd((from, to, tag), _ => new BlockingCollection<Tensor>());
    }
}
