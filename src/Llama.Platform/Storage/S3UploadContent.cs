using System.Security.Cryptography;

namespace Llama.Platform.Storage;

/// <summary>
/// An upload's bytes made ready for S3, whose object metadata (our SHA-256) must be sent before the
/// content (PUT headers, or InitiateMultipartUpload): so the hash is computed first.
/// <list type="bullet">
/// <item>Small content (up to the multipart threshold) is read into memory and hashed there.</item>
/// <item>Large seekable content (a file) is hashed in a first pass and uploaded from its start in a second.</item>
/// <item>Large content that cannot seek is spooled to a temporary file while hashing, then uploaded from it.</item>
/// </list>
/// Why not stream straight into a multipart upload and set the hash afterwards with a CopyObject onto itself
/// (MetadataDirective REPLACE)? Between Complete and the copy the object would be visible without its hash,
/// and CopyObject stops at 5 GB, below a large checkpoint. Hashing first costs a local pass (or a spool file)
/// and nothing visible is ever unverifiable.
/// Uploads from <see cref="Large"/> re-hash what they send and compare with <see cref="Sha256"/> before
/// completing, so a source that changed between the passes is refused, not stored under a wrong hash.
/// </summary>
internal sealed class S3UploadContent : IAsyncDisposable
{
    private readonly bool _ownsLarge;

    private S3UploadContent(long sizeBytes, string sha256, ArraySegment<byte> small, Stream? large, bool ownsLarge)
    {
        SizeBytes = sizeBytes;
        Sha256 = sha256;
        Small = small;
        Large = large;
        _ownsLarge = ownsLarge;
    }

    public long SizeBytes { get; }
    public string Sha256 { get; }

    /// <summary>The whole content, when it is small (<see cref="Large"/> is null then).</summary>
    public ArraySegment<byte> Small { get; }

    /// <summary>The content from its current position, when it is large.</summary>
    public Stream? Large { get; }

    public static async Task<S3UploadContent> PrepareAsync(Stream content, long multipartThresholdBytes, string stagingFolder, CancellationToken ct)
    {
        if (content.CanSeek)
        {
            long start = content.Position;
            long remaining = content.Length - start;
            if (remaining <= multipartThresholdBytes)
            {
                byte[] bytes = new byte[remaining];
                await content.ReadExactlyAsync(bytes, ct);
                return new S3UploadContent(remaining, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes, null, ownsLarge: false);
            }
            var (size, sha256) = await Sha256Copy.CopyAsync(content, null, ct);
            content.Position = start;
            return new S3UploadContent(size, sha256, default, content, ownsLarge: false);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // One byte past the threshold tells whether the content is large without reading all of it.
        var head = new MemoryStream();
        long headBytes = await Sha256Copy.CopyAsync(content, head, hash, multipartThresholdBytes + 1, ct);
        if (headBytes <= multipartThresholdBytes)
            return new S3UploadContent(headBytes, Convert.ToHexStringLower(hash.GetHashAndReset()),
                new ArraySegment<byte>(head.GetBuffer(), 0, (int)headBytes), null, ownsLarge: false);

        Directory.CreateDirectory(stagingFolder);
        var spool = new FileStream(Path.Combine(stagingFolder, $"llama-s3-upload-{Guid.NewGuid():N}.spool"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose);
        try
        {
            head.Position = 0;
            await head.CopyToAsync(spool, ct);
            long rest = await Sha256Copy.CopyAsync(content, spool, hash, long.MaxValue, ct);
            spool.Position = 0;
            return new S3UploadContent(headBytes + rest, Convert.ToHexStringLower(hash.GetHashAndReset()), default, spool, ownsLarge: true);
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsLarge && Large is not null) await Large.DisposeAsync();
    }
}
