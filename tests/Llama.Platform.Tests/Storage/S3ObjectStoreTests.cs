using Amazon.S3;
using Amazon.S3.Model;
using Llama.Platform.Storage;

namespace Llama.Platform.Tests.Storage;

/// <summary>The contract against a real S3-compatible server (s3rver), plus what only S3 can get wrong.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3ObjectStoreTests(S3rverFixture fixture) : ObjectStoreContractTests
{
    private const string Prefix = "llama/objects/";

    // A fresh bucket per test: the store creates it on first use, so a test that never reaches S3 leaves none.
    private readonly string _bucket = "t" + Guid.NewGuid().ToString("N");
    private readonly AmazonS3Client _raw = fixture.Server.CreateRawClient();

    private S3ObjectStoreOptions Options => new()
    {
        ServiceUrl = fixture.Server.ServiceUrl,
        Bucket = _bucket,
        Prefix = Prefix,
        AccessKey = S3rverServer.Credential,
        SecretKey = S3rverServer.Credential,
        CreateBucketIfMissing = true,
        // Small thresholds so the tests' 24-50 MB objects go up in several parts.
        MultipartThresholdBytes = 8L << 20,
        PartSizeBytes = S3ObjectStoreOptions.MinimumPartSizeBytes,
        StagingFolder = Scratch,
    };

    protected override IObjectStore CreateStore() => new S3ObjectStore(Options);

    protected override async Task<IReadOnlyList<string>> RawEntriesAsync()
    {
        var entries = new List<string>();
        try
        {
            var listing = await _raw.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket });
            entries.AddRange((listing.S3Objects ?? []).Select(o => o.Key));
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
        }
        entries.AddRange(fixture.Server.PendingUploads(_bucket).Select(id => "pending upload " + id));
        // Spooled uploads must not outlive the put either.
        entries.AddRange(Directory.GetFiles(Scratch, "*.spool").Select(f => Path.GetFileName(f)));
        return entries;
    }

    protected override async Task FlipStoredByteAsync(string key, long offset)
    {
        // Rewrite the object behind the store's back, keeping its sha256 metadata: what bit rot or a buggy
        // proxy would do.
        using var original = await _raw.GetObjectAsync(_bucket, Prefix + key);
        var bytes = new MemoryStream();
        await original.ResponseStream.CopyToAsync(bytes);
        bytes.GetBuffer()[offset] ^= 0xFF;
        bytes.Position = 0;
        var put = new PutObjectRequest { BucketName = _bucket, Key = Prefix + key, InputStream = bytes, UseChunkEncoding = false };
        put.Metadata[S3ObjectStore.Sha256MetadataName] = original.Metadata[S3ObjectStore.Sha256MetadataName];
        await _raw.PutObjectAsync(put);
    }

    public override async Task DisposeAsync()
    {
        _raw.Dispose();
        await base.DisposeAsync();
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(12_000_000)] // multipart: three parts
    public async Task Objects_are_stored_as_their_plain_bytes_with_sha256_metadata(int size)
    {
        byte[] content = SeededRandomStream.Bytes(seed: size, size);

        await Store.PutAsync("x/blob.bin", new MemoryStream(content));

        // Chunk-signature framing inside the object (PLATFORM-NOTES: UseChunkEncoding) would show up here.
        using var raw = await _raw.GetObjectAsync(_bucket, Prefix + "x/blob.bin");
        var stored = new MemoryStream();
        await raw.ResponseStream.CopyToAsync(stored);
        Assert.Equal(content, stored.ToArray());
        Assert.Equal(Sha256Hex(content), raw.Metadata[S3ObjectStore.Sha256MetadataName]);
    }

    [Fact]
    public async Task Cancelling_during_the_part_uploads_publishes_nothing()
    {
        // A seekable source is hashed in a first pass and uploaded in a second: cancel part-way through
        // the second, after several parts have gone up.
        const int size = 20 << 20;
        string file = Path.Combine(Scratch, "source.bin");
        await using (var write = File.Create(file)) await new SeededRandomStream(9, size).CopyToAsync(write);
        using var cancel = new CancellationTokenSource();
        await using var source = InterruptingStream.Cancelling(File.OpenRead(file), size + (12 << 20), cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync("big.bin", source, cancel.Token));

        Assert.False(await Store.ExistsAsync("big.bin"));
        // s3rver 3.7.1 cannot abort uploads (405), so its pending parts are not checked here; S3 aborts them.
    }

    [Fact]
    public async Task An_object_without_sha256_metadata_is_reported_as_corrupted()
    {
        await Store.PutBytesAsync("ours", "1"u8.ToArray()); // creates the bucket
        await _raw.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket, Key = Prefix + "foreign", ContentBody = "not written by the store", UseChunkEncoding = false,
        });

        var e = await Assert.ThrowsAsync<ObjectCorruptedException>(() => Store.OpenReadAsync("foreign"));

        Assert.Contains("x-amz-meta-sha256", e.Message);
    }

    [Fact]
    public void Describe_names_bucket_prefix_and_endpoint_but_no_secret()
    {
        string description = Store.Describe();

        Assert.Equal($"s3://{_bucket}/{Prefix} at {fixture.Server.ServiceUrl}", description);
        Assert.DoesNotContain(S3rverServer.Credential, description);
    }

    [Fact]
    public void Part_size_below_the_S3_minimum_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new S3ObjectStore(Options with { PartSizeBytes = 1 << 20 }));

        Assert.Contains("PartSizeBytes", e.Message);
    }
}
