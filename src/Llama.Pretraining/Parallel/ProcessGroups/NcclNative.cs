using System.Runtime.InteropServices;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>
/// The slice of NCCL's C API (<c>libnccl.so.2</c>, 2.18 or later for <c>ncclCommSplit</c>) and of the CUDA runtime
/// the NCCL backend uses. Operations are enqueued on the legacy default stream (null) and completion is
/// observed with <c>cudaStreamQuery</c>, so a stuck peer can be detected and the communicator aborted.
/// </summary>
internal static partial class NcclNative
{
    private const string Nccl = "libnccl.so.2";
    private const string CudaRuntime = "cudart";
    public const int Success = 0;
    public const int CudaNotReady = 600;
    public const int UniqueIdBytes = 128;

    public enum DataType { Int8 = 0, Uint8 = 1, Int32 = 2, Uint32 = 3, Int64 = 4, Uint64 = 5, Float16 = 6, Float32 = 7, Float64 = 8, BFloat16 = 9 }
    public enum ReduceOp { Sum = 0, Product = 1, Max = 2 }

    static NcclNative()
    {
        // libcudart's soname carries the CUDA major version (libcudart.so.12, .so.13): take whichever is installed.
        NativeLibrary.SetDllImportResolver(typeof(NcclNative).Assembly, (name, _, _) =>
        {
            if (name != CudaRuntime) return IntPtr.Zero;
            foreach (var candidate in new[] { "libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0" })
                if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
            return IntPtr.Zero;
        });
    }

    [LibraryImport(Nccl)] public static partial int ncclGetUniqueId(byte[] uniqueId);
    [LibraryImport(Nccl)] public static partial int ncclCommInitRank(out IntPtr comm, int ranks, UniqueId id, int rank);
    [LibraryImport(Nccl)] public static partial int ncclCommSplit(IntPtr comm, int color, int key, out IntPtr newComm, IntPtr config);
    [LibraryImport(Nccl)] public static partial int ncclCommDestroy(IntPtr comm);
    [LibraryImport(Nccl)] public static partial int ncclCommAbort(IntPtr comm);
    [LibraryImport(Nccl)] public static partial IntPtr ncclGetErrorString(int result);
    [LibraryImport(Nccl)] public static partial int ncclAllReduce(IntPtr send, IntPtr receive, nuint count, DataType type, ReduceOp op, IntPtr comm, IntPtr stream);
    [LibraryImport(Nccl)] public static partial int ncclAllGather(IntPtr send, IntPtr receive, nuint sendCount, DataType type, IntPtr comm, IntPtr stream);
    [LibraryImport(Nccl)] public static partial int ncclReduceScatter(IntPtr send, IntPtr receive, nuint receiveCount, DataType type, ReduceOp op, IntPtr comm, IntPtr stream);
    [LibraryImport(Nccl)] public static partial int ncclBroadcast(IntPtr send, IntPtr receive, nuint count, DataType type, int root, IntPtr comm, IntPtr stream);
    [LibraryImport(Nccl)] public static partial int ncclSend(IntPtr send, nuint count, DataType type, int peer, IntPtr comm, IntPtr stream);
    [LibraryImport(Nccl)] public static partial int ncclRecv(IntPtr receive, nuint count, DataType type, int peer, IntPtr comm, IntPtr stream);
    [LibraryImport(CudaRuntime)] public static partial int cudaStreamQuery(IntPtr stream);

    /// <summary>ncclUniqueId: 128 opaque bytes passed by value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct UniqueId
    {
        public fixed byte Bytes[UniqueIdBytes];
    }

    public static bool IsAvailable() => NativeLibrary.TryLoad(Nccl, out _);
}
