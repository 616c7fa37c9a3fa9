using System.Runtime.InteropServices;

namespace Llama.Platform.Storage;

/// <summary>File and byte-array conveniences that work on any <see cref="IObjectStore"/>.</summary>
public static class ObjectStoreExtensions
{
    private const int CopyBufferBytes = 1 << 20;

    /// <summary>Stores the file at <paramref name="path"/> under <paramref name="key"/>.</summary>
    public static async Task<ObjectInfo> PutFileAsync(this IObjectStore store, string key, string path, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read,
            CopyBufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await store.PutAsync(key, file, ct);
    }

    /// <summary>
    /// Downloads the object to <paramref name="path"/>, verified: the bytes go to a temporary file beside it
    /// that replaces <paramref name="path"/> only once the whole content has been read and its hash checked,
    /// so a corrupt or interrupted download never leaves a file that looks complete.
    /// </summary>
    public static async Task GetFileAsync(this IObjectStore store, string key, string path, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await using var source = await store.OpenReadAsync(key, ct);
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string temp = $"{fullPath}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                             CopyBufferBytes, FileOptions.Asynchronous))
            {
                await source.CopyToAsync(target, CopyBufferBytes, ct);
                target.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Stores a small object from memory.</summary>
    public static async Task<ObjectInfo> PutBytesAsync(this IObjectStore store, string key, ReadOnlyMemory<byte> content, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        // A MemoryStream over the caller's array when there is one: no copy.
        await using var stream = MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        return await store.PutAsync(key, stream, ct);
    }

    /// <summary>Reads a small object into memory, verified.</summary>
    public static async Task<byte[]> ReadAllBytesAsync(this IObjectStore store, string key, CancellationToken ct = default)
    {
        await using var source = await store.OpenReadAsync(key, ct);
        using var buffer = new MemoryStream();
        await source.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
