using System.Buffers;
using System.Security.Cryptography;

namespace Llama.Platform.Storage;

/// <summary>Copies a stream while hashing it: the one pass that gives a stored object its SHA-256.</summary>
internal static class Sha256Copy
{
    internal const int BufferBytes = 1 << 20;

    /// <summary>
    /// Copies <paramref name="source"/> from its position to its end into <paramref name="destination"/>
    /// (or only hashes it when that is null) and returns the length and lowercase hex SHA-256 of what was read.
    /// </summary>
    public static async Task<(long SizeBytes, string Sha256)> CopyAsync(Stream source, Stream? destination, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = await CopyAsync(source, destination, hash, long.MaxValue, ct);
        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>
    /// Copies at most <paramref name="maxBytes"/> (fewer at the end of <paramref name="source"/>), adding
    /// them to <paramref name="hash"/>; returns how many were copied.
    /// </summary>
    public static async Task<long> CopyAsync(Stream source, Stream? destination, IncrementalHash hash, long maxBytes, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long copied = 0;
            int n;
            while (copied < maxBytes &&
                   (n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferBytes, maxBytes - copied)), ct)) > 0)
            {
                ct.ThrowIfCancellationRequested(); // not every source stream honours the token
                hash.AppendData(buffer, 0, n);
                if (destination is not null) await destination.WriteAsync(buffer.AsMemory(0, n), ct);
                copied += n;
            }
            return copied;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
