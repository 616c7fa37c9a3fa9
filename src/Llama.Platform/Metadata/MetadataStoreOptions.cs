namespace Llama.Platform.Metadata;

public enum MetadataProvider { Sqlite, Postgres }

/// <summary>Where the metadata lives: a SQLite file (the embedded default, <c>./.llama/metadata.db</c>) or PostgreSQL.</summary>
public sealed record MetadataStoreOptions
{
    public MetadataProvider Provider { get; init; } = MetadataProvider.Sqlite;

    /// <summary>ADO.NET connection string: <c>Data Source=.llama/metadata.db</c> or <c>Host=…;Port=…;Database=…;Username=…</c>.</summary>
    public string ConnectionString { get; init; } = "Data Source=.llama/metadata.db";

    public static MetadataStoreOptions Sqlite(string path) => new() { Provider = MetadataProvider.Sqlite, ConnectionString = $"Data Source={path}" };

    public static MetadataStoreOptions Postgres(string connectionString) => new() { Provider = MetadataProvider.Postgres, ConnectionString = connectionString };
}
