using Llama.Platform.Metadata;
using Llama.Platform.Storage;
using Microsoft.Extensions.Configuration;

namespace Llama.Platform;

/// <summary>
/// Where the platform keeps its state. The embedded default is one folder, <c>./.llama/</c>: a SQLite file
/// (<c>metadata.db</c>) and an object folder (<c>objects/</c>). Configuration (appsettings, environment,
/// CLI flags) can point the metadata at PostgreSQL and the objects at S3 instead:
/// <list type="bullet">
/// <item><c>ConnectionStrings:metadata</c> (what Aspire's <c>WithReference</c> sets) or <c>LLAMA_METADATA</c>:
/// an Npgsql connection string (<c>Host=…</c>) selects PostgreSQL; <c>Data Source=…</c> selects SQLite.</item>
/// <item><c>Llama:Home</c> or <c>LLAMA_HOME</c>: the embedded folder (default <c>.llama</c>).</item>
/// <item><c>Llama:ObjectStore</c> or <c>LLAMA_OBJECT_STORE</c>: a folder path, or <c>s3://bucket/prefix</c>.</item>
/// <item>For S3: <c>Llama:S3:ServiceUrl</c>, <c>LLAMA_S3_ENDPOINT</c> or <c>AWS_ENDPOINT_URL_S3</c> (omit for AWS itself), and the usual
/// <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_REGION</c> (or <c>Llama:S3:AccessKey</c>, ...).</item>
/// </list>
/// </summary>
public sealed record PlatformSettings
{
    public string Home { get; init; } = ".llama";
    public required MetadataStoreOptions Metadata { get; init; }
    /// <summary>A folder path or an <c>s3://bucket/prefix</c> URI.</summary>
    public required string ObjectStore { get; init; }

    /// <summary>Endpoint and credentials when <see cref="ObjectStore"/> is an <c>s3://</c> URI.</summary>
    public S3Connection S3 { get; init; } = new();

    public static PlatformSettings Embedded(string home = ".llama") => new()
    {
        Home = home,
        Metadata = MetadataStoreOptions.Sqlite(Path.Combine(home, "metadata.db")),
        ObjectStore = Path.Combine(home, "objects"),
    };

    public static PlatformSettings FromConfiguration(IConfiguration configuration)
    {
        string home = configuration["Llama:Home"] ?? configuration["LLAMA_HOME"] ?? ".llama";
        var settings = Embedded(home);
        string? metadata = configuration.GetConnectionString("metadata") ?? configuration["LLAMA_METADATA"];
        if (!string.IsNullOrWhiteSpace(metadata)) settings = settings with { Metadata = ParseMetadata(metadata) };
        string? objects = configuration["Llama:ObjectStore"] ?? configuration["LLAMA_OBJECT_STORE"];
        if (!string.IsNullOrWhiteSpace(objects)) settings = settings with { ObjectStore = objects };
        settings = settings with
        {
            S3 = new S3Connection
            {
                ServiceUrl = configuration["Llama:S3:ServiceUrl"] ?? configuration["LLAMA_S3_ENDPOINT"] ?? configuration["AWS_ENDPOINT_URL_S3"],
                AccessKey = configuration["Llama:S3:AccessKey"] ?? configuration["AWS_ACCESS_KEY_ID"],
                SecretKey = configuration["Llama:S3:SecretKey"] ?? configuration["AWS_SECRET_ACCESS_KEY"],
                Region = configuration["Llama:S3:Region"] ?? configuration["AWS_REGION"] ?? "us-east-1",
            },
        };
        return settings;
    }

    /// <summary>Reads a metadata connection string, choosing the provider by its keys.</summary>
    public static MetadataStoreOptions ParseMetadata(string connectionString)
    {
        string s = connectionString.Trim();
        if (s.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase) || s.StartsWith("DataSource=", StringComparison.OrdinalIgnoreCase)
            || s.EndsWith(".db", StringComparison.OrdinalIgnoreCase))
            return MetadataStoreOptions.Sqlite(s.Contains('=') ? s[(s.IndexOf('=') + 1)..].Split(';')[0] : s);
        if (s.Contains("Host=", StringComparison.OrdinalIgnoreCase) || s.Contains("Server=", StringComparison.OrdinalIgnoreCase))
            return MetadataStoreOptions.Postgres(s);
        throw new ArgumentException(
            "the metadata connection string names neither a SQLite file ('Data Source=path.db') nor a PostgreSQL server ('Host=...;Database=...')");
    }

    /// <summary>The configured object store: a folder (created if missing) or an S3 bucket.</summary>
    public IObjectStore CreateObjectStore()
    {
        if (!ObjectStore.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            return new LocalFolderObjectStore(ObjectStore);
        var uri = new Uri(ObjectStore);
        if (string.IsNullOrEmpty(uri.Host)) throw new ArgumentException($"object store '{ObjectStore}' names no bucket: use s3://bucket/prefix");
        return new S3ObjectStore(new S3ObjectStoreOptions
        {
            ServiceUrl = S3.ServiceUrl, Bucket = uri.Host, Prefix = uri.AbsolutePath.Trim('/'),
            AccessKey = S3.AccessKey, SecretKey = S3.SecretKey, Region = S3.Region, CreateBucketIfMissing = true,
        });
    }
}

/// <summary>How to reach an S3-compatible service (AWS, MinIO, s3rver). Secrets come from configuration, never from files in the repo.</summary>
public sealed record S3Connection
{
    public string? ServiceUrl { get; init; }
    public string? AccessKey { get; init; }
    public string? SecretKey { get; init; }
    public string Region { get; init; } = "us-east-1";
}
