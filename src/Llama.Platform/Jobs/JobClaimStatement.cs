using System.Data.Common;
using Llama.Platform.Metadata;

namespace Llama.Platform.Jobs;

/// <summary>
/// The one statement that takes a job: UPDATE the best eligible row and RETURN its id, so choosing and taking
/// cannot be split by another worker. Column names are EF's (PascalCase), hence the quoting.
/// </summary>
internal static class JobClaimStatement
{
    public static async Task<Guid?> ExecuteAsync(DbConnection connection, MetadataProvider provider, string queue, string owner,
        DateTime now, DateTime leaseExpiresAt, IReadOnlyCollection<string>? kinds, CancellationToken cancellation)
    {
        await using var command = connection.CreateCommand();
        var kindFilter = "";
        if (kinds is { Count: > 0 })
        {
            var names = kinds.Select((kind, i) => AddParameter(command, $"@kind{i}", kind)).ToList();
            kindFilter = $" AND \"Kind\" IN ({string.Join(", ", names)})";
        }
        // PostgreSQL: FOR UPDATE SKIP LOCKED makes concurrent claimers pass over a row another transaction is taking
        // instead of queueing behind its lock (and then finding it gone), so N workers take N different jobs at once.
        // SQLite has no row locks; the caller runs this inside BEGIN IMMEDIATE, which serialises writers.
        var lockClause = provider == MetadataProvider.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
        command.CommandText = $"""
            UPDATE "jobs"
            SET "State" = 'Running', "LeaseOwner" = @owner, "LeaseExpiresAt" = @leaseExpiresAt,
                "Attempts" = "Attempts" + 1, "StartedAt" = @now, "Progress" = 0, "ProgressMessage" = NULL
            WHERE "Id" = (
                SELECT "Id" FROM "jobs"
                WHERE "Queue" = @queue AND NOT "CancelRequested" AND "Attempts" < "MaxAttempts"
                  AND ("State" = 'Queued' OR ("State" = 'Running' AND "LeaseExpiresAt" < @now)){kindFilter}
                ORDER BY "Priority" DESC, "CreatedAt", "Id"
                LIMIT 1{lockClause})
            RETURNING "Id"
            """;
        AddParameter(command, "@owner", owner);
        AddParameter(command, "@leaseExpiresAt", leaseExpiresAt);
        AddParameter(command, "@now", now);
        AddParameter(command, "@queue", queue);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        return await reader.ReadAsync(cancellation) ? reader.GetGuid(0) : null;
    }

    private static string AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return name;
    }
}
