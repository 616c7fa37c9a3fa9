using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Llama.Platform.Metadata;

/// <summary>
/// Opens <see cref="MetadataDbContext"/>s for one configured database and brings its schema up to date
/// (migrations apply on start-up). A connection that cannot be made is reported naming the server or
/// file, never the password.
/// </summary>
public sealed class MetadataStore(MetadataStoreOptions options)
{
    public MetadataStoreOptions Options { get; } = options;

    /// <summary>A new context; the caller disposes it. Contexts are cheap and not thread-safe: one per unit of work.</summary>
    public MetadataDbContext CreateContext() => Options.Provider switch
    {
        MetadataProvider.Postgres => new PostgresMetadataDbContext(
            new DbContextOptionsBuilder<PostgresMetadataDbContext>().UseNpgsql(Options.ConnectionString).Options),
        MetadataProvider.Sqlite => new SqliteMetadataDbContext(
            new DbContextOptionsBuilder<SqliteMetadataDbContext>().UseSqlite(Options.ConnectionString).Options),
        _ => throw new ArgumentOutOfRangeException(nameof(Options), Options.Provider, "unknown metadata provider"),
    };

    /// <summary>Applies pending migrations (creating the SQLite file's folder first).</summary>
    public async Task MigrateAsync(CancellationToken cancellation = default)
    {
        try
        {
            if (Options.Provider == MetadataProvider.Sqlite)
            {
                var path = new SqliteConnectionStringBuilder(Options.ConnectionString).DataSource;
                var folder = Path.GetDirectoryName(Path.GetFullPath(path));
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            }
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await using var db = CreateContext();
                    await db.Database.MigrateAsync(cancellation);
                    return;
                }
                // Services starting together race to create the database (EF's migration lock only guards the
                // migrations inside it): the loser sees "already exists" (a database, a table, a later migration's
                // column) and simply tries again.
                catch (PostgresException e) when (attempt < 5 && e.SqlState is PostgresErrorCodes.DuplicateDatabase
                                                      or PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable
                                                      or PostgresErrorCodes.DuplicateColumn)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellation);
                }
            }
        }
        // A folder that cannot be made (read-only disk, a path under /proc) is the same failure as a server that
        // does not answer: the database cannot be opened.
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException
                                      || e is InvalidOperationException { InnerException: DbException })
        {
            throw new MetadataStoreUnavailableException(Describe(), e);
        }
    }

    /// <summary>The database as a person would name it: provider, host, port, database or file; no credentials.</summary>
    public string Describe()
    {
        if (Options.Provider == MetadataProvider.Sqlite)
            return $"SQLite file {new SqliteConnectionStringBuilder(Options.ConnectionString).DataSource}";
        var b = new NpgsqlConnectionStringBuilder(Options.ConnectionString);
        return $"PostgreSQL at {b.Host}:{b.Port}, database '{b.Database}', user '{b.Username}'";
    }
}

/// <summary>The metadata database could not be reached or opened; the message names it (no password).</summary>
public sealed class MetadataStoreUnavailableException(string database, Exception inner)
    : Exception($"cannot open the metadata database ({database}): {inner.GetBaseException().Message}", inner);
