using System.Net;
using System.Net.Sockets;
using Llama.Platform.Metadata;
using Llama.Platform.Tests.Infrastructure;

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
