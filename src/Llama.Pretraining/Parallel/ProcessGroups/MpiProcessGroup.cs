using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>
/// The MPI backend (OpenMPI through P/Invoke) for ranks that are CPU processes started by <c>mpirun</c>,
/// <c>srun</c> or a Kubernetes MPIJob. Every operation is posted non-blocking and polled with
/// <c>MPI_Test</c> until it completes or <see cref="IProcessGroup.Timeout"/> passes, so a rank whose peer died
/// raises <see cref="CollectiveTimeoutException"/> instead of hanging; polling yields the core, which matters
/// when more ranks than cores share a machine.
/// </summary>
public sealed class MpiProcessGroup : ProcessGroupBase
{
    private static readonly object InitLock = new();
    private IntPtr _comm;
    private readonly bool _owned;

    private MpiProcessGroup(IntPtr comm, string name, TimeSpan timeout, bool owned)
        : base(name, QueryRank(comm), QuerySize(comm), timeout)
    {
        _comm = comm;
        _owned = owned;
    }

    /// <summary>True when this process was started by an MPI launcher (mpirun, srun with PMIx, an MPIJob).</summary>
    public static bool LaunchedByMpi =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null || Environment.GetEnvironmentVariable("PMIX_RANK") is not null;

    /// <summary>Initializes MPI once per process (thread level SERIALIZED: calls come from one thread at a time) and returns the world group.</summary>
    public static MpiProcessGroup World(TimeSpan timeout)
    {
        if (!MpiNative.IsAvailable())
            throw new ProcessGroupException("MPI backend: libmpi.so.40 (OpenMPI) is not installed; on Debian: apt-get install openmpi-bin libopenmpi3");
        lock (InitLock)
        {
            Check(MpiNative.MPI_Initialized(out int initialized), "MPI_Initialized");
            if (initialized == 0) Check(MpiNative.MPI_Init_thread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadSerialized, out _), "MPI_Init_thread");
        }
        return new MpiProcessGroup(MpiNative.Global("ompi_mpi_comm_world"), "world", timeout, owned: false);
    }

    /// <summary>Ends MPI for this process (after every group is disposed).</summary>
    public static void FinalizeMpi()
    {
        Check(MpiNative.MPI_Finalized(out int finalized), "MPI_Finalized");
        if (finalized == 0) Check(MpiNative.MPI_Finalize(), "MPI_Finalize");
    }

    /// <summary>Stops every rank of the job (MPI_Abort on the world): what a rank does after an error it cannot recover from.</summary>
    public static void AbortWorld(int errorCode) => MpiNative.MPI_Abort(MpiNative.Global("ompi_mpi_comm_world"), errorCode);

    public override IProcessGroup Split(int color, int key, string name)
    {
        Check(MpiNative.MPI_Comm_split(_comm, color, key, out var comm), "MPI_Comm_split");
        return new MpiProcessGroup(comm, name, Timeout, owned: true);
    }

    protected override void AllReduceCore(Tensor tensor, ReduceOperation operation) => Wait(
        MpiNative.MPI_Iallreduce((IntPtr)1 /* MPI_IN_PLACE */, Pointer(tensor), Count(tensor), ReductionType(tensor),
            MpiNative.Global(operation == ReduceOperation.Sum ? "ompi_mpi_op_sum" : "ompi_mpi_op_max"), _comm, out var request),
        request, "all-reduce");

    protected override void AllGatherCore(Tensor input, Tensor output)
    {
        var bytes = MpiNative.Global("ompi_mpi_byte");
        int count = ByteCount(input);
        Wait(MpiNative.MPI_Iallgather(Pointer(input), count, bytes, Pointer(output), count, bytes, _comm, out var request), request, "all-gather");
    }

    protected override void ReduceScatterCore(Tensor input, Tensor output) => Wait(
        MpiNative.MPI_Ireduce_scatter_block(Pointer(input), Pointer(output), Count(output), ReductionType(input), MpiNative.Global("ompi_mpi_op_sum"),
            _comm, out var request),
        request, "reduce-scatter");

    protected override void BroadcastCore(Tensor tensor, int root) => Wait(
        MpiNative.MPI_Ibcast(Pointer(tensor), ByteCount(tensor), MpiNative.Global("ompi_mpi_byte"), root, _comm, out var request), request, "broadcast");

    protected override PendingSend SendCore(Tensor tensor, int destination, int tag)
    {
        Check(MpiNative.MPI_Isend(Pointer(tensor), ByteCount(tensor), MpiNative.Global("ompi_mpi_byte"), destination, tag, _comm, out var request), "MPI_Isend");
        return new MpiPendingSend(this, request, tensor, $"send to rank {destination} (tag {tag})");
    }

    protected override void ReceiveCore(Tensor tensor, int source, int tag) => Wait(
        MpiNative.MPI_Irecv(Pointer(tensor), ByteCount(tensor), MpiNative.Global("ompi_mpi_byte"), source, tag, _comm, out var request),
        request, $"receive from rank {source} (tag {tag})");

    protected override void BarrierCore() => Wait(MpiNative.MPI_Ibarrier(_comm, out var request), request, "barrier");

    public override void Dispose()
    {
        if (_owned && _comm != IntPtr.Zero) MpiNative.MPI_Comm_free(ref _comm);
        _comm = IntPtr.Zero;
        base.Dispose();
    }

    private void Wait(int postResult, IntPtr request, string operation)
    {
        Check(postResult, operation);
        Poll(request, operation);
    }

    /// <summary>Tests the request until it completes; yields, then sleeps a millisecond between tests, so idle ranks leave the cores to busy ones.</summary>
    private void Poll(IntPtr request, string operation)
    {
        var clock = Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            Check(MpiNative.MPI_Test(ref request, out int done, IntPtr.Zero), operation);
            if (done != 0) return;
            if (clock.Elapsed > Timeout) throw TimedOut(operation);
            if (attempt < 200) Thread.Yield();
            else Thread.Sleep(1);
        }
    }

    private sealed class MpiPendingSend(MpiProcessGroup group, IntPtr request, Tensor keepAlive, string operation) : PendingSend
    {
        private bool _done;

        public override void Wait()
        {
            if (_done) return;
            group.Poll(request, operation);
            GC.KeepAlive(keepAlive);
            _done = true;
        }
    }

    private static IntPtr Pointer(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU) throw new ProcessGroupException($"MPI backend: tensors must be on the CPU (got {tensor.device}); use the NCCL backend for CUDA");
        return TensorAddress.Of(tensor);
    }

    private static int ByteCount(Tensor tensor) => checked((int)(tensor.NumberOfElements * tensor.ElementSize));

    private static int Count(Tensor tensor) => checked((int)tensor.NumberOfElements);

    private static IntPtr ReductionType(Tensor tensor) => MpiNative.Global(tensor.dtype switch
    {
        ScalarType.Float32 => "ompi_mpi_float",
        ScalarType.Float64 => "ompi_mpi_double",
        ScalarType.Int64 => "ompi_mpi_long_long_int",
        _ => throw new ProcessGroupException($"MPI backend: reductions support float32, float64 and int64 tensors, not {tensor.dtype} (reduce in float32, as the paper reduces gradients in FP32)"),
    });

    private static int QueryRank(IntPtr comm)
    {
        Check(MpiNative.MPI_Comm_rank(comm, out int rank), "MPI_Comm_rank");
        return rank;
    }

    private static int QuerySize(IntPtr comm)
    {
        Check(MpiNative.MPI_Comm_size(comm, out int size), "MPI_Comm_size");
        return size;
    }

    private static void Check(int result, string call)
    {
        if (result != MpiNative.Success) throw new ProcessGroupException($"MPI backend: {call} failed with MPI error code {result}");
    }
}
