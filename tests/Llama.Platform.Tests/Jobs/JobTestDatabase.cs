using Llama.Platform.Metadata;
using Llama.Platform.Tests.Infrastructure;

namespace Llama.Platform.Tests.Jobs;

/// <summary>A fresh, migrated metadata database per test: a temporary SQLite file, or a new PostgreSQL database.</summary>
public static class JobTestDatabase
{
    public static async Task<MetadataStore> SqliteAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llama-jobs-{Guid.NewGuid():N}.db");
        // Pooling off: the file is deleted after the test, and pooled handles would keep it (and its WAL) open.
        var store = new MetadataStore(new MetadataStoreOptions { Provider = MetadataProvider.Sqlite, ConnectionString = $"Data Source={path};Pooling=False" });
        await store.MigrateAsync();
        return store;
    }

    public static async Task<MetadataStore> PostgresAsync(PostgresFixture postgres)
    {
        var store = new MetadataStore(MetadataStoreOptions.Postgres(await postgres.Server.CreateDatabaseAsync("jobs")));
        await store.MigrateAsync();
        return store;
    }

    public static void Delete(MetadataStore store)
    {
        if (store.Options.Provider != MetadataProvider.Sqlite) return;
        string path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(store.Options.ConnectionString).DataSource;
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            File.Delete(file);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s waiting until {what}");
            await Task.Delay(50);
        }
    }
}
