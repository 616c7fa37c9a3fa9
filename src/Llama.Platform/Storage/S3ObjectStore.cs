using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Llama.Platform.Storage;

/// <summary>
/// Objects in an S3 bucket (AWS, or any S3-compatible server), under an optional key prefix. The SHA-256 of
/// each object is its <c>x-amz-meta-sha256</c> metadata, computed before the upload starts (see
/// <see cref="S3UploadContent"/>) and verified on every read. Large objects go up as multipart uploads
/// that are aborted on any failure, so a half-written object is never visible.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    /// <summary>Metadata name of the content hash (sent as <c>x-amz-meta-sha256</c>).</summary>
    public const string Sha256MetadataName = "sha256";

    /// <summary>S3's limit on the number of parts of one upload.</summary>
    private const int MaxParts = 10_000;

    /// <summary>HEAD requests in flight while listing (listing returns no metadata, so each object needs one).</summary>
    private const int ListingConcurrency = 8;

    private readonly S3ObjectStoreOptions _options;
    private readonly IAmazonS3 _client;
    private readonly string _keyPrefix;
    private readonly SemaphoreSlim _bucketLock = new(1, 1);
    private bool _bucketReady;

    public S3ObjectStore(S3ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        string prefix = options.Prefix.Trim('/');
        _keyPrefix = prefix.Length == 0 ? "" : prefix + "/";
        _client = CreateClient(options);
        _bucketReady = !options.CreateBucketIfMissing;
    }

    public string Describe()
    {
        string where = $"s3://{_options.Bucket}/{_keyPrefix}";
        return _options.ServiceUrl is null ? $"{where} in {_options.Region}" : $"{where} at {_options.ServiceUrl}";
    }

    public async Task<ObjectInfo> PutAsync(string key, Stream content, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        await EnsureBucketAsync(ct);

        await using var upload = await S3UploadContent.PrepareAsync(
            content, _options.MultipartThresholdBytes, _options.StagingFolder ?? Path.GetTempPath(), ct);
        if (upload.Large is null) await PutSmallAsync(key, upload, ct);
        else await PutMultipartAsync(key, upload, ct);

        // S3 sets the time; ask for it unless a concurrent writer has already replaced our object.
        var stored = await GetInfoAsync(key, ct);
        return stored is not null && stored.Sha256 == upload.Sha256 && stored.SizeBytes == upload.SizeBytes
            ? stored
            : new ObjectInfo(key, upload.SizeBytes, upload.Sha256, DateTimeOffset.UtcNow);
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await EnsureBucketAsync(ct);
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _options.Bucket, Key = _keyPrefix + key }, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw new ObjectNotFoundException(key, Describe());
        }
        try
        {
            var info = ToInfo(key, response.Metadata, response.ContentLength, response.LastModified);
            return new Sha256VerifyingStream(response.ResponseStream, info, owner: response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<ObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await EnsureBucketAsync(ct);
        return await HeadAsync(key, ct);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default) =>
        await GetInfoAsync(key, ct) is not null;

    public async Task DeleteAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        await EnsureBucketAsync(ct);
        // S3 answers 204 for a key that does not exist: idempotent as it is.
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = _keyPrefix + key }, ct);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        await EnsureBucketAsync(ct);
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = _keyPrefix + prefix };
        using var heads = new SemaphoreSlim(ListingConcurrency);
        while (true)
        {
            var page = await _client.ListObjectsV2Async(request, ct);
            // S3 lists in UTF-8 byte order, which is ObjectKey.Order; HEAD each (in parallel) for its hash.
            var infos = await Task.WhenAll((page.S3Objects ?? []).Select(async o =>
            {
                string key = o.Key[_keyPrefix.Length..];
                // Keys this store could not have written (e.g. "a//b") are not part of it; a valid key without
                // our sha256 metadata fails the listing as corrupted, like an unreadable sidecar on disk.
                if (ObjectKey.FindBrokenRule(key) is not null) return null;
                await heads.WaitAsync(ct);
                try { return await HeadAsync(key, ct); }
                finally { heads.Release(); }
            }));
            foreach (var info in infos)
                if (info is not null) yield return info; // null: deleted since the listing
            if (page.IsTruncated != true) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _bucketLock.Dispose();
    }

    private async Task PutSmallAsync(string key, S3UploadContent upload, CancellationToken ct)
    {
        var request = new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = _keyPrefix + key,
            InputStream = new MemoryStream(upload.Small.Array!, upload.Small.Offset, upload.Small.Count, writable: false),
            ContentType = "application/octet-stream",
            // PLATFORM-NOTES: with chunk encoding on, s3rver stores the aws-chunked signature framing in the
            // object. Off, the SDK signs the payload's SHA-256 instead, which real S3 checks on arrival.
            UseChunkEncoding = false,
        };
        request.Metadata[Sha256MetadataName] = upload.Sha256;
        await _client.PutObjectAsync(request, ct);
    }

    /// <summary>
    /// Initiate (with the hash as metadata), upload the parts in order, check that what was sent hashes to the
    /// announced value, complete. Nothing is visible before Complete; any failure or cancellation aborts.
    /// </summary>
    private async Task PutMultipartAsync(string key, S3UploadContent upload, CancellationToken ct)
    {
        string s3Key = _keyPrefix + key;
        long partSize = Math.Max(_options.PartSizeBytes, (upload.SizeBytes + MaxParts - 1) / MaxParts);
        var initiate = new InitiateMultipartUploadRequest
        {
            BucketName = _options.Bucket, Key = s3Key, ContentType = "application/octet-stream",
        };
        initiate.Metadata[Sha256MetadataName] = upload.Sha256;
        string uploadId = (await _client.InitiateMultipartUploadAsync(initiate, ct)).UploadId;
        try
        {
            var parts = new List<PartETag>();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            // One buffer for every part; the SDK may dispose each part's stream, never the array.
            byte[] part = new byte[Math.Min(partSize, upload.SizeBytes)];
            long sent = 0;
            for (int number = 1; ; number++) // to the end of the source: one that grew is caught below
            {
                long bytes = await Sha256Copy.CopyAsync(upload.Large!, new MemoryStream(part), hash, part.Length, ct);
                if (bytes == 0) break;
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _options.Bucket, Key = s3Key, UploadId = uploadId,
                    PartNumber = number, PartSize = bytes, InputStream = new MemoryStream(part, 0, (int)bytes, writable: false),
                    UseChunkEncoding = false, // see PutSmallAsync
                }, ct);
                parts.Add(new PartETag(number, response.ETag));
                sent += bytes;
            }
            string sentSha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (sent != upload.SizeBytes || sentSha256 != upload.Sha256)
                throw new IOException($"content for '{key}' changed while it was uploaded: hashed {upload.SizeBytes} bytes " +
                                      $"to {upload.Sha256}, then read {sent} bytes hashing to {sentSha256}");
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket, Key = s3Key, UploadId = uploadId, PartETags = parts,
            }, ct);
        }
        catch
        {
            await AbortQuietlyAsync(s3Key, uploadId);
            throw;
        }
    }

    /// <summary>
    /// Best effort: the original failure is what the caller needs to see. Parts of an upload that could not
    /// be aborted stay invisible and billed until a bucket lifecycle rule (AbortIncompleteMultipartUpload)
    /// removes them; s3rver 3.7.1 does not implement abort at all (405 MethodNotAllowed).
    /// </summary>
    private async Task AbortQuietlyAsync(string s3Key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
            {
                BucketName = _options.Bucket, Key = s3Key, UploadId = uploadId,
            }, CancellationToken.None);
        }
        catch (AmazonServiceException)
        {
        }
        catch (HttpRequestException)
        {
        }
    }

    private async Task<ObjectInfo?> HeadAsync(string key, CancellationToken ct)
    {
        try
        {
            var head = await _client.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = _keyPrefix + key }, ct);
            return ToInfo(key, head.Metadata, head.ContentLength, head.LastModified);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static ObjectInfo ToInfo(string key, MetadataCollection metadata, long contentLength, DateTime? lastModified)
    {
        string? sha256 = metadata[Sha256MetadataName];
        if (sha256 is not { Length: 64 } || !sha256.All(char.IsAsciiHexDigitLower))
            throw new ObjectCorruptedException(key, sha256 is null
                ? $"it has no x-amz-meta-{Sha256MetadataName} metadata (not written by this store?)"
                : $"its x-amz-meta-{Sha256MetadataName} metadata '{sha256}' is not a SHA-256");
        var modified = lastModified is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UtcNow;
        return new ObjectInfo(key, contentLength, sha256, modified);
    }

    private async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _bucketReady)) return;
        await _bucketLock.WaitAsync(ct);
        try
        {
            if (_bucketReady) return;
            try
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }, ct);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }
            Volatile.Write(ref _bucketReady, true);
        }
        finally
        {
            _bucketLock.Release();
        }
    }

    private static AmazonS3Client CreateClient(S3ObjectStoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // We verify content with our own SHA-256. The v4 SDK's default extra CRC checksums are not
            // understood by every S3-compatible server, so send and check them only where S3 demands them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        return options.AccessKey is not null
            ? new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config)
            : new AmazonS3Client(config);
    }
}
