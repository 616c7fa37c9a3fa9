namespace Llama.Platform.Storage;

/// <summary>Where an <see cref="S3ObjectStore"/> keeps its objects and how it uploads them.</summary>
public sealed record S3ObjectStoreOptions
{
    /// <summary>S3's minimum size of every part but the last in a multipart upload.</summary>
    public const long MinimumPartSizeBytes = 5L << 20;

    /// <summary>Endpoint of an S3-compatible server (<c>http://127.0.0.1:4568</c>); null for AWS itself.</summary>
    public string? ServiceUrl { get; init; }

    public string Bucket { get; init; } = "";

    /// <summary>Folder inside the bucket under which keys live (<c>llama/</c>); empty for the bucket's root.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>Access key id; with <see cref="SecretKey"/> null, the SDK's default credential chain is used.</summary>
    public string? AccessKey { get; init; }

    public string? SecretKey { get; init; }

    public string Region { get; init; } = "us-east-1";

    /// <summary>Path-style URLs (<c>host/bucket/key</c>), which most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; init; } = true;

    /// <summary>Create the bucket on first use when it does not exist.</summary>
    public bool CreateBucketIfMissing { get; init; }

    /// <summary>Objects larger than this go up as multipart uploads; smaller ones in one PUT from memory.</summary>
    public long MultipartThresholdBytes { get; init; } = 16L << 20;

    /// <summary>Size of each part of a multipart upload (at least 5 MiB; raised when 10,000 parts would not suffice).</summary>
    public long PartSizeBytes { get; init; } = 16L << 20;

    /// <summary>
    /// Folder for spooling large uploads whose source stream cannot seek (null: the system temp folder). It
    /// needs room for the largest such object.
    /// </summary>
    public string? StagingFolder { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket)) throw new ArgumentException("S3 object store: Bucket must be set", nameof(Bucket));
        if (ServiceUrl is not null && !Uri.TryCreate(ServiceUrl, UriKind.Absolute, out _))
            throw new ArgumentException($"S3 object store: ServiceUrl '{ServiceUrl}' is not an absolute URL", nameof(ServiceUrl));
        if ((AccessKey is null) != (SecretKey is null))
            throw new ArgumentException("S3 object store: set both AccessKey and SecretKey, or neither (default credentials)", nameof(AccessKey));
        if (PartSizeBytes < MinimumPartSizeBytes)
            throw new ArgumentException($"S3 object store: PartSizeBytes ({PartSizeBytes}) must be at least {MinimumPartSizeBytes} (S3's minimum part size)", nameof(PartSizeBytes));
        if (PartSizeBytes > int.MaxValue)
            throw new ArgumentException($"S3 object store: PartSizeBytes ({PartSizeBytes}) must fit in memory as one buffer (at most {int.MaxValue})", nameof(PartSizeBytes));
        if (MultipartThresholdBytes < 0 || MultipartThresholdBytes > int.MaxValue)
            throw new ArgumentException($"S3 object store: MultipartThresholdBytes ({MultipartThresholdBytes}) must be between 0 and {int.MaxValue}", nameof(MultipartThresholdBytes));
        string prefix = Prefix.Trim('/');
        if (prefix.Length > 0) ObjectKey.Validate(prefix);
    }
}
