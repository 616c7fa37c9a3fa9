using Llama.Platform.Metadata;
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
/// </list>
/// </summary>
public sealed record PlatformSettings
{
    public string Home { get; init; } = ".llama";
    public required MetadataStoreOptions Metadata { get; init; }
    /// <summary>A folder path or an <c>s3://bucket/prefix</c> URI.</summary>
    public required string ObjectStore { get; init; }

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
}
