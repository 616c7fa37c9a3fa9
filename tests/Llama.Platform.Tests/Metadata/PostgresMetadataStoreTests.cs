using System.Net;
using System.Net.Sockets;
using Llama.Platform.Metadata;
using Llama.Platform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Tests.Metadata;

/// <summary>The metadata-store suite on a real PostgreSQL server, a new database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMetadataStoreTests(PostgresFixture postgres) : MetadataStoreSuite
{
    private readonly int _closedPort = ClosedPort();

    protected override async Task<MetadataStoreOptions> CreateEmptyDatabaseAsync() =>
        MetadataStoreOptions.Postgres(await postgres.Server.CreateDatabaseAsync("meta"));

    protected override MetadataStoreOptions UnreachableDatabase() => MetadataStoreOptions.Postgres(
        $"Host=127.0.0.1;Port={_closedPort};Database=llama;Username=llama;Password=secret;Timeout=5;Pooling=false");

    protected override string UnreachableDatabaseName => $"127.0.0.1:{_closedPort}";

    /// <summary>A loopback port nothing listens on: bound once by the OS, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Services start together against a database nobody has created yet (the AppHost does exactly that).</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrentMigrationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Several_stores_migrating_a_missing_database_at_once_all_succeed()
    {
        // The race (both see no database, both CREATE DATABASE) is timing-dependent: several rounds make it likely.
        for (int round = 0; round < 4; round++)
        {
            string connection = postgres.Server.ConnectionString($"fresh_{Guid.NewGuid():N}"[..20]);
            var stores = Enumerable.Range(0, 6).Select(_ => new MetadataStore(MetadataStoreOptions.Postgres(connection))).ToList();
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync())));
            await using var db = stores[0].CreateContext();
            Assert.Equal(0, await db.Artifacts.CountAsync());
        }
    }
}
