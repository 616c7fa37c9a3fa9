using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Llama.Platform.Metadata;

// Used only by `dotnet ef migrations add` (see docs/DEVELOPING.md): no database is contacted to make a migration.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteMetadataDbContext>
{
    public SqliteMetadataDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteMetadataDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresMetadataDbContext>
{
    public PostgresMetadataDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresMetadataDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
