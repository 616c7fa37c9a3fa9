using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Llama service shares, as in the Aspire template and eShop's <c>ServiceDefaults</c>: OpenTelemetry
/// (logs, metrics, traces; exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, as the AppHost does),
/// service discovery, resilient <see cref="System.Net.Http.HttpClient"/>s and health checks.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The tag of health checks that say only "the process is alive" (<c>/alive</c>).</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Meters and activity sources of our own libraries are named <c>Llama.*</c> (e.g. <c>Llama.Pretraining</c>,
    /// <c>Llama.Platform.Jobs</c>); all are exported.
    /// </summary>
    public const string LlamaMeters = "Llama.*";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(LlamaMeters))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                // Our activity sources share the prefix: e.g. Llama.Platform.Jobs, whose job activities continue the
                // trace of whoever submitted the job, so a pipeline through the services is one trace.
                .AddSource(LlamaMeters)
                // Health probes arrive every few seconds; tracing them would drown the real requests.
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context =>
                    !context.Request.Path.StartsWithSegments(HealthPath) && !context.Request.Path.StartsWithSegments(AlivePath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary><c>/health</c>: every check (ready to serve); <c>/alive</c>: only the <see cref="LiveTag"/> ones.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Unlike the template these stay on outside Development: the AppHost and a cloud's probes both use them,
        // and they reveal no more than healthy/unhealthy.
        app.MapHealthChecks(HealthPath);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        return app;
    }

    private const string HealthPath = "/health";
    private const string AlivePath = "/alive";
}
