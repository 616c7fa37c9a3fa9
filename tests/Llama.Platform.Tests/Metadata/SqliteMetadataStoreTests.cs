using Llama.Platform.Metadata;
using Microsoft.Data.Sqlite;

namespace Llama.Platform.Tests.Metadata;

/// <summary>The metadata-store suite on SQLite files in a temporary folder.</summary>
public sealed class SqliteMetadataStoreTests : MetadataStoreSuite
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"llama-meta-{Guid.NewGuid():N}");

    protected override Task<MetadataStoreOptions> CreateEmptyDatabaseAsync() =>
        Task.FromResult(MetadataStoreOptions.Sqlite(Path.Combine(_folder, $"{Guid.NewGuid():N}.db")));

    // /proc refuses new folders even to root, so the file's folder cannot be made.
    private const string UnreachablePath = "/proc/llama-no-such-folder/metadata.db";

    protected override MetadataStoreOptions UnreachableDatabase() =>
        new() { Provider = MetadataProvider.Sqlite, ConnectionString = $"Data Source={UnreachablePath};Password=secret" };

    protected override string UnreachableDatabaseName => UnreachablePath;

    public override Task DisposeAsync()
    {
        // Pooled connections keep the files open; release them before deleting.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
