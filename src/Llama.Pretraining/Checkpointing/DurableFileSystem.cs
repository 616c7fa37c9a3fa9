using System.Runtime.InteropServices;

namespace Llama.Pretraining.Checkpointing;

/// <summary>Flushes files and directories to stable storage, so a rename that publishes them survives a power loss.</summary>
/// <remarks>
/// POSIX only orders a rename after the renamed folder's content when both the files and the folders holding
/// their names are fsynced; .NET offers fsync for files (<see cref="FileStream.Flush(bool)"/>) but not for
/// directories, hence the call into libc. Windows (NTFS journals metadata) needs no directory flush.
/// </remarks>
internal static class DurableFileSystem
{
    /// <summary>fsyncs an existing file.</summary>
    public static void FlushFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) to a new file and fsyncs it.</summary>
    public static void WriteText(string path, string text)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using (var writer = new StreamWriter(file, leaveOpen: true))
        {
            writer.Write(text);
        }
        file.Flush(flushToDisk: true);
    }

    /// <summary>fsyncs a directory, so the names created, renamed or deleted in it are durable. Best effort.</summary>
    public static void FlushDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        var descriptor = Open(path, ReadOnly);
        if (descriptor < 0) return;
        try
        {
            // A failure here (some file systems refuse fsync on directories) costs durability, not correctness.
            _ = Fsync(descriptor);
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private const int ReadOnly = 0; // O_RDONLY on Linux and macOS

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which this project does not enable.
    [DllImport("libc", EntryPoint = "open")]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int descriptor);
}
