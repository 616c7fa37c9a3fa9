using System.Diagnostics;
using TorchSharp;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>
/// The NCCL backend for CUDA ranks (one GPU per rank), behind the same interface as MPI. The communicator's
/// unique id is made by rank 0 and broadcast over MPI, the way torch.distributed bootstraps NCCL through its
/// store. <b>Not run here:</b> this machine has no GPU and no NCCL, so it compiles and is covered only by the
/// interface tests that the MPI and in-process backends pass; the P/Invoke calls were tried by hand on an H100
/// (see PLATFORM-NOTES.md) but this class was not.
/// </summary>
public sealed class NcclProcessGroup : ProcessGroupBase
{
    private IntPtr _comm;

    private NcclProcessGroup(IntPtr comm, string name, int rank, int size, TimeSpan timeout) : base(name, rank, size, timeout) => _comm = comm;

    /// <summary>Creates the NCCL world communicator over the ranks of <paramref name="mpiWorld"/> (collective over it).</summary>
    public static unsafe NcclProcessGroup World(IProcessGroup mpiWorld)
    {
        if (!NcclNative.IsAvailable()) throw new ProcessGroupException("NCCL backend: libnccl.so.2 is not installed (it ships with PyTorch's CUDA wheels and NVIDIA's HPC SDK)");
        var idBytes = new byte[NcclNative.UniqueIdBytes];
        if (mpiWorld.Rank == 0) Check(NcclNative.ncclGetUniqueId(idBytes), "ncclGetUniqueId");
        using (var idTensor = tensor(idBytes, ScalarType.Byte))
        {
            mpiWorld.Broadcast(idTensor, root: 0);
            idTensor.bytes.CopyTo(idBytes);
        }
        var id = new NcclNative.UniqueId();
        for (int i = 0; i < idBytes.Length; i++) id.Bytes[i] = idBytes[i];
        Check(NcclNative.ncclCommInitRank(out var comm, mpiWorld.Size, id, mpiWorld.Rank), "ncclCommInitRank");
        return new NcclProcessGroup(comm, "world", mpiWorld.Rank, mpiWorld.Size, mpiWorld.Timeout);
    }

    public override IProcessGroup Split(int color, int key, string name)
    {
        Check(NcclNative.ncclCommSplit(_comm, color, key, out var comm, IntPtr.Zero), "ncclCommSplit");
        // NCCL numbers the new ranks by key, as MPI_Comm_split does; size and rank follow from the split's members.
        var members = AllGather(stack([tensor((long)color, device: CUDA), tensor((long)key, device: CUDA), tensor((long)Rank, device: CUDA)])).cpu();
        var same = Enumerable.Range(0, Size).Where(r => members[r][0].item<long>() == color)
            .OrderBy(r => members[r][1].item<long>()).ThenBy(r => r).ToList();
        return new NcclProcessGroup(comm, name, same.IndexOf(Rank), same.Count, Timeout);
    }

    protected override void AllReduceCore(Tensor tensor, ReduceOperation operation) => Complete(
        NcclNative.ncclAllReduce(Pointer(tensor), Pointer(tensor), (nuint)tensor.NumberOfElements, Type(tensor), Op(operation), _comm, IntPtr.Zero), "all-reduce");

    protected override void AllGatherCore(Tensor input, Tensor output) => Complete(
        NcclNative.ncclAllGather(Pointer(input), Pointer(output), (nuint)input.NumberOfElements, Type(input), _comm, IntPtr.Zero), "all-gather");

    protected override void ReduceScatterCore(Tensor input, Tensor output) => Complete(
        NcclNative.ncclReduceScatter(Pointer(input), Pointer(output), (nuint)output.NumberOfElements, Type(input), NcclNative.ReduceOp.Sum, _comm, IntPtr.Zero), "reduce-scatter");

    protected override void BroadcastCore(Tensor tensor, int root) => Complete(
        NcclNative.ncclBroadcast(Pointer(tensor), Pointer(tensor), (nuint)tensor.NumberOfElements, Type(tensor), root, _comm, IntPtr.Zero), "broadcast");

    protected override PendingSend SendCore(Tensor tensor, int destination, int tag)
    {
        // NCCL matches sends and receives by order per peer, not by tag: callers post them in the same order on both sides.
        Check(NcclNative.ncclSend(Pointer(tensor), (nuint)tensor.NumberOfElements, Type(tensor), destination, _comm, IntPtr.Zero), "ncclSend");
        return new StreamSend(this, tensor);
    }

    protected override void ReceiveCore(Tensor tensor, int source, int tag) => Complete(
        NcclNative.ncclRecv(Pointer(tensor), (nuint)tensor.NumberOfElements, Type(tensor), source, _comm, IntPtr.Zero), $"receive from rank {source}");

    protected override void BarrierCore()
    {
        using var token = zeros(1, ScalarType.Float32, CUDA);
        AllReduceCore(token, ReduceOperation.Sum);
    }

    public override void Dispose()
    {
        if (_comm != IntPtr.Zero) NcclNative.ncclCommDestroy(_comm);
        _comm = IntPtr.Zero;
        base.Dispose();
    }

    private void Complete(int enqueueResult, string operation)
    {
        Check(enqueueResult, operation);
        WaitForStream(operation);
    }

    /// <summary>Polls the stream; on timeout aborts the communicator so the other ranks' pending operations fail too.</summary>
    private void WaitForStream(string operation)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            int status = NcclNative.cudaStreamQuery(IntPtr.Zero);
            if (status == 0) return;
            if (status != NcclNative.CudaNotReady) throw new ProcessGroupException($"NCCL backend: CUDA error {status} during {operation}");
            if (clock.Elapsed > Timeout)
            {
                NcclNative.ncclCommAbort(_comm);
                _comm = IntPtr.Zero;
                throw TimedOut(operation);
            }
            Thread.Sleep(0);
        }
    }

    private sealed class StreamSend(NcclProcessGroup group, Tensor keepAlive) : PendingSend
    {
        public override void Wait()
        {
            group.WaitForStream("send");
            GC.KeepAlive(keepAlive);
        }
    }

    private static IntPtr Pointer(Tensor tensor) => tensor.device_type == DeviceType.CUDA
        ? TensorAddress.Of(tensor)
        : throw new ProcessGroupException($"NCCL backend: tensors must be on a CUDA device (got {tensor.device})");

    private static NcclNative.ReduceOp Op(ReduceOperation operation) => operation == ReduceOperation.Sum ? NcclNative.ReduceOp.Sum : NcclNative.ReduceOp.Max;

    private static NcclNative.DataType Type(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 => NcclNative.DataType.Float32,
        ScalarType.Float64 => NcclNative.DataType.Float64,
        ScalarType.Float16 => NcclNative.DataType.Float16,
        ScalarType.BFloat16 => NcclNative.DataType.BFloat16,
        ScalarType.Int64 => NcclNative.DataType.Int64,
        ScalarType.Int32 => NcclNative.DataType.Int32,
        ScalarType.Byte => NcclNative.DataType.Uint8,
        ScalarType.Int8 => NcclNative.DataType.Int8,
        _ => throw new ProcessGroupException($"NCCL backend: dtype {tensor.dtype} is not supported"),
    };

    private static void Check(int result, string call)
    {
        if (result != NcclNative.Success)
            throw new ProcessGroupException($"NCCL backend: {call} failed: {Marshal.PtrToStringAnsi(NcclNative.ncclGetErrorString(result))} (code {result})");
    }
}
