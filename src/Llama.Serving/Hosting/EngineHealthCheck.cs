using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Llama.Serving.Hosting;

/// <summary><c>/health</c> is unhealthy once the engine loop has died; otherwise it reports the batch in its description.</summary>
internal sealed class EngineHealthCheck(ServedModel model) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var engine = model.Engine;
        if (engine.Fault is { } fault) return Task.FromResult(HealthCheckResult.Unhealthy("the inference engine stopped", fault));
        var s = engine.Stats;
        return Task.FromResult(HealthCheckResult.Healthy($"{model.Id}: {s.Running} running, {s.Waiting} waiting, KV cache {s.KvCacheUsage:P0}"));
    }
}
