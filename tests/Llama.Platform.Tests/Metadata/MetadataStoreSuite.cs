using System.Security.Cryptography;
using System.Text;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Tests.Metadata;

/// <summary>
/// The metadata-store behaviour every provider must show. Each concrete subclass supplies empty databases of
/// one provider; every test gets its own freshly migrated database, so row counts and orderings are its own.
/// </summary>
public abstract partial class MetadataStoreSuite : IAsyncLifetime
{
    protected MetadataStore Store { get; private set; } = null!;
    protected ArtifactRegistry Registry { get; private set; } = null!;
    protected RunTracker Runs { get; private set; } = null!;

    /// <summary>Options for a new database with no tables.</summary>
    protected abstract Task<MetadataStoreOptions> CreateEmptyDatabaseAsync();

    /// <summary>A database that cannot be opened, with <c>Password=secret</c> in its connection string.</summary>
    protected abstract MetadataStoreOptions UnreachableDatabase();

    /// <summary>What the unavailable-error must name (host:port, or the file path).</summary>
    protected abstract string UnreachableDatabaseName { get; }

    public async Task InitializeAsync()
    {
        Store = new MetadataStore(await CreateEmptyDatabaseAsync());
        await Store.MigrateAsync();
        Registry = new ArtifactRegistry(Store);
        Runs = new RunTracker(Store);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Migrations_apply_on_an_empty_database_and_a_second_run_is_a_no_op()
    {
        var store = new MetadataStore(await CreateEmptyDatabaseAsync());
        await using (var db = store.CreateContext())
        {
            var all = db.Database.GetMigrations().ToList();
            Assert.NotEmpty(all);
            Assert.Equal(all, await db.Database.GetPendingMigrationsAsync());
        }

        await store.MigrateAsync();
        await new ArtifactRegistry(store).RegisterAsync(Spec("dataset", "kept"));
        await store.MigrateAsync();

        await using (var db = store.CreateContext())
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.Equal("kept", Assert.Single(await db.Artifacts.ToListAsync()).Name);
        }
    }

    [Fact]
    public async Task Unreachable_database_is_reported_by_name_without_the_password()
    {
        var store = new MetadataStore(UnreachableDatabase());
        Assert.Contains("Password=secret", store.Options.ConnectionString);

        var error = await Assert.ThrowsAsync<MetadataStoreUnavailableException>(() => store.MigrateAsync());

        Assert.Contains(UnreachableDatabaseName, error.Message);
        Assert.DoesNotContain("secret", error.ToString());
    }

    [Fact]
    public async Task Concurrent_registrations_from_separate_contexts_all_land()
    {
        var root = await Registry.RegisterAsync(Spec("corpus", "root"));
        const int perWriter = 10;
        // Two stores over one database stand for two worker processes.
        async Task WriteAsync(string writer)
        {
            var registry = new ArtifactRegistry(new MetadataStore(Store.Options));
            for (int i = 0; i < perWriter; i++)
                await registry.RegisterAsync(Spec("shard", $"{writer}-{i}"), [(root.Id, "shard-of")]);
        }

        await Task.WhenAll(Task.Run(() => WriteAsync("a")), Task.Run(() => WriteAsync("b")));

        var (artifacts, edges) = await CountArtifactsAndEdgesAsync();
        Assert.Equal(1 + 2 * perWriter, artifacts);
        Assert.Equal(2 * perWriter, edges);
        Assert.Equal(2 * perWriter, (await Registry.ChildrenAsync(root.Id)).Count);
    }

    /// <summary>A valid spec whose hash is the SHA-256 of its name.</summary>
    protected static NewArtifact Spec(string kind, string name, Guid? producedBy = null, string? metadataJson = null) =>
        new(kind, name, $"objects/{kind}/{name}", name.Length * 100L, Sha256Of(name), metadataJson, producedBy);

    protected static string Sha256Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    protected async Task<(int Artifacts, int Edges)> CountArtifactsAndEdgesAsync()
    {
        await using var db = Store.CreateContext();
        return (await db.Artifacts.CountAsync(), await db.ArtifactEdges.CountAsync());
    }
}
