using Llama.Platform.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Llama.Platform.Hosting;

/// <summary>
/// Healthy when a connection to the metadata database opens and answers a query. EF's <c>CanConnectAsync</c>
/// would also do, but a failed open here keeps the driver's reason (refused, auth, unknown database) in the report.
/// </summary>
public sealed class MetadataDatabaseHealthCheck(MetadataStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = store.CreateContext();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy(store.Describe());
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"cannot open the metadata database ({store.Describe()})", e);
        }
    }
}
