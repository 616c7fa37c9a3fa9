namespace Llama.Core.Checkpoints;

/// <summary>Writes a file under a temporary name in the same directory and renames it into place.</summary>
/// <remarks>
/// A rename within one directory replaces the target atomically on POSIX and NTFS, so a crash leaves either the
/// old file or the complete new one, never half a checkpoint. The data is flushed to disk before the rename.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="finalPath"/> atomically.</summary>
    public static void Write(string finalPath, Action<Stream> write) => Commit(WriteTemporary(finalPath, write), finalPath);

    /// <summary>Writes the content to a new temporary file beside <paramref name="finalPath"/> and returns its path.</summary>
    public static string WriteTemporary(string finalPath, Action<Stream> write)
    {
        var fullPath = Path.GetFullPath(finalPath);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var temporaryPath = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using var stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            DeleteQuietly(temporaryPath);
            throw;
        }
        return temporaryPath;
    }

    /// <summary>Renames a file from <see cref="WriteTemporary"/> onto its final path, replacing what was there.</summary>
    public static void Commit(string temporaryPath, string finalPath) => File.Move(temporaryPath, finalPath, overwrite: true);

    /// <summary>Deletes a file, ignoring failure (used on paths that are being cleaned up after another error).</summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
