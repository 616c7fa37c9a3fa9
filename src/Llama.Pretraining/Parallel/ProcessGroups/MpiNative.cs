using System.Runtime.InteropServices;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>
/// The slice of the MPI C API the MPI backend uses, bound to OpenMPI's <c>libmpi.so.40</c>. In OpenMPI the
/// predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the addresses of global objects
/// (<c>ompi_mpi_comm_world</c>, ...), read once with <see cref="NativeLibrary.GetExport"/>; requests and
/// communicators are pointers; MPI_STATUS_IGNORE is null.
/// </summary>
internal static partial class MpiNative
{
    private const string Library = "libmpi.so.40";
    public const int Success = 0;
    public const int ThreadSerialized = 2;

    [LibraryImport(Library)] public static partial int MPI_Initialized(out int flag);
    [LibraryImport(Library)] public static partial int MPI_Finalized(out int flag);
    [LibraryImport(Library)] public static partial int MPI_Init_thread(IntPtr argc, IntPtr argv, int required, out int provided);
    [LibraryImport(Library)] public static partial int MPI_Finalize();
    [LibraryImport(Library)] public static partial int MPI_Abort(IntPtr comm, int errorCode);
    [LibraryImport(Library)] public static partial int MPI_Comm_rank(IntPtr comm, out int rank);
    [LibraryImport(Library)] public static partial int MPI_Comm_size(IntPtr comm, out int size);
    [LibraryImport(Library)] public static partial int MPI_Comm_split(IntPtr comm, int color, int key, out IntPtr newComm);
    [LibraryImport(Library)] public static partial int MPI_Comm_free(ref IntPtr comm);
    [LibraryImport(Library)] public static partial int MPI_Iallreduce(IntPtr send, IntPtr receive, int count, IntPtr type, IntPtr op, IntPtr comm, out IntPtr request);
    [LibraryImport(Library)] public static partial int MPI_Iallgather(IntPtr send, int sendCount, IntPtr sendType, IntPtr receive, int receiveCount, IntPtr receiveType, IntPtr comm, out IntPtr request);
    [LibraryImport(Library)] public static partial int MPI_Ireduce_scatter_block(IntPtr send, IntPtr receive, int receiveCount, IntPtr type, IntPtr op, IntPtr comm, out IntPtr request);
    [LibraryImport(Library)] public static partial int MPI_Ibcast(IntPtr buffer, int count, IntPtr type, int root, IntPtr comm, out IntPtr request);
    [LibraryImport(Library)] public static partial int MPI_Isend(IntPtr buffer, int count, IntPtr type, int destination, int tag, IntPtr comm, out IntPtr request);
    [LibraryImport(Library)] public static partial int MPI_Irecv(IntPtr buffer, int count, IntPtr type, int source, int tag, IntPtr comm, out IntPtr request);
    [LibraryImport(Library)] public static partial int MPI_Ibarrier(IntPtr comm, out IntPtr request);
    [LibraryImport(Library)] public static partial int MPI_Test(ref IntPtr request, out int flag, IntPtr status);

    private static readonly Lazy<IntPtr> Handle = new(() => NativeLibrary.Load(Library));

    /// <summary>A predefined OpenMPI handle: the address of its global object.</summary>
    public static IntPtr Global(string symbol) => NativeLibrary.GetExport(Handle.Value, symbol);

    /// <summary>True when <c>libmpi.so.40</c> can be loaded (OpenMPI installed).</summary>
    public static bool IsAvailable() => NativeLibrary.TryLoad(Library, out _);
}
