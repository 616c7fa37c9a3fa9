using System.CommandLine;
using Llama.Alignment.Service;
using Llama.Cli.Pipeline.Services;
using Llama.Curation.Service;
using Llama.Evaluation.Service;
using Llama.Pretraining.Service;
using Llama.Quantization.Service;
using Llama.Web;
using Llama.Platform;
using Llama.Platform.Hosting;
using Llama.Platform.Metadata;
using Llama.Platform.Registry;
using Llama.Serving.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama service --role ROLE [--urls URL]</c>: hosts one stage's HTTP API. The AppHost starts this executable
/// once per role; in a cloud, one container image runs with different roles (DESIGN.md). Settings come from
/// configuration: environment variables (<c>ConnectionStrings__metadata</c>, <c>Llama__ObjectStore</c>) or extra
/// <c>--Key=value</c> arguments after the flags.
/// </summary>
internal static class ServiceCommand
{
    /// <summary>A role: what it adds to the host's services (e.g. its job worker) and the API it maps.</summary>
    private sealed record ServiceRole(Action<IServiceCollection, PlatformSettings, IConfiguration> AddServices, Action<WebApplication> MapApi)
    {
        /// <summary>A role whose services need no configuration beyond the platform settings.</summary>
        public ServiceRole(Action<IServiceCollection, PlatformSettings> addServices, Action<WebApplication> mapApi)
            : this((services, settings, _) => addServices(services, settings), mapApi) { }
    }

    /// <summary>Each role and its API. Later stages add theirs here (pretraining, alignment, ...).</summary>
    private static readonly IReadOnlyDictionary<string, ServiceRole> Roles = new Dictionary<string, ServiceRole>
    {
        ["registry"] = new((_, _) => { }, app => app.MapRegistryApi()),
        ["curation"] = new(
            (services, settings) => services.AddStageJobWorker("curation", jobs => jobs.Add(CurationJobRequest.Kind, new CurationJobHandler(settings))),
            app => app.MapCurationApi()),
        ["pretraining"] = new(
            (services, settings) => services.AddStageJobWorker("pretraining", jobs => jobs.Add(PretrainingJobRequest.Kind, new PretrainingJobHandler(settings)),
                // Training steps take long; a generous lease keeps a busy worker from looking dead.
                o => o with { LeaseDuration = TimeSpan.FromMinutes(2) }),
            app => app.MapPretrainingApi()),
        ["alignment"] = new(
            (services, settings) => services.AddStageJobWorker("alignment", jobs => jobs.Add(AlignmentJobRequest.Kind, new AlignmentJobHandler(settings)),
                o => o with { LeaseDuration = TimeSpan.FromMinutes(2) }),
            app => app.MapAlignmentApi()),
        ["evaluation"] = new(
            (services, settings) => services.AddStageJobWorker("evaluation", jobs => jobs.Add(EvaluationJobRequest.Kind, new EvaluationJobHandler(settings)),
                o => o with { LeaseDuration = TimeSpan.FromMinutes(2) }),
            app => app.MapEvaluationApi()),
        ["quantization"] = new(
            (services, settings) => services.AddStageJobWorker("quantization", jobs => jobs.Add(QuantizationJobRequest.Kind, new QuantizationJobHandler(settings)),
                // Measuring and quantizing keep the CPUs busy for minutes, as training does: the same generous lease.
                o => o with { LeaseDuration = TimeSpan.FromMinutes(2) }),
            app => app.MapQuantizationApi()),
        // The lifecycle through the other services' job APIs; each step's job runs in its stage's service.
        ["pipeline"] = new(
            (services, settings, configuration) => services.AddStageJobWorker("pipeline",
                jobs => jobs.Add(PipelineJobRequest.Kind, new PipelineJobHandler(settings, configuration)),
                o => o with { LeaseDuration = TimeSpan.FromMinutes(2) }),
            app => app.MapPipelineApi()),
        // The web UI reads the registry API from its own origin, and forwards chat to the serving service.
        ["web"] = new((services, _) => services.AddWebUi(), app => { app.MapRegistryApi(); app.MapWebUi(); }),
        // The model (Llama:Serving:Model, a directory or a model artifact id) loads when the service starts.
        ["serving"] = new((services, settings) => services.AddLlamaServing(settings), app => app.MapServingApi()),
    };

    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = $"Which API to host: {string.Join(", ", Roles.Keys)}", Required = true };
        var urls = new Option<string?>("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:5080 (default: ASPNETCORE_URLS, else http://localhost:5000)" };
        var command = new Command("service", "Host a stage's HTTP API (with health checks, OpenAPI and telemetry)") { role, urls };
        // Tokens we do not know are configuration for the host (`--ConnectionStrings:metadata=Host=...`).
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellation) =>
            RunAsync(parse.GetValue(role)!, parse.GetValue(urls), [.. parse.UnmatchedTokens], cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string role, string? urls, string[] configurationArgs, CancellationToken cancellation)
    {
        if (!Roles.TryGetValue(role, out var serviceRole))
            throw new ArgumentException($"unknown role '{role}'; known roles: {string.Join(", ", Roles.Keys)}");

        var builder = WebApplication.CreateBuilder(configurationArgs);
        if (urls is not null) builder.WebHost.UseUrls(urls);
        builder.AddServiceDefaults();
        var settings = PlatformSettings.FromConfiguration(builder.Configuration);
        builder.Services.AddLlamaPlatform(settings);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        serviceRole.AddServices(builder.Services, settings, builder.Configuration);

        await using var app = builder.Build();
        var store = app.Services.GetRequiredService<MetadataStore>();
        // An unreachable database surfaces as MetadataStoreUnavailableException: CliRunner prints it as one line.
        await store.MigrateAsync(cancellation);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapDefaultEndpoints();
        serviceRole.MapApi(app);

        await app.StartAsync(cancellation);
        await app.WaitForShutdownAsync(cancellation);
        return 0;
    }
}
