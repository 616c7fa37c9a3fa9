using Llama.Platform.Metadata;
using Llama.Platform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Tests;

[Collection(PostgresCollection.Name)]
public class SmokeMetadataTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Migrations_apply_on_postgres_and_sqlite()
    {
        string sqlite = Path.Combine(Path.GetTempPath(), $"llama-{Guid.NewGuid():N}.db");
        foreach (var options in new[] { MetadataStoreOptions.Postgres(await postgres.Server.CreateDatabaseAsync()), MetadataStoreOptions.Sqlite(sqlite) })
        {
            var store = new MetadataStore(options);
            await store.MigrateAsync();
            await using var db = store.CreateContext();
            db.Artifacts.Add(new Artifact { Kind = "dataset", Name = "x", Uri = "objects/x", Sha256 = new string('0', 64) });
            await db.SaveChangesAsync();
            Assert.Equal(1, await db.Artifacts.CountAsync());
        }
        File.Delete(sqlite);
    }
}
