using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;

namespace Llama.Web;

/// <summary>
/// The web role's UI: <c>index.html</c>, its stylesheet and ES modules, served from this assembly's resources, plus
/// <c>/v1/chat/completions</c> and <c>/v1/models</c> forwarded to the serving service and <c>/api/pipeline/jobs...</c>
/// forwarded to the pipeline service, so the browser talks to one origin (no CORS). The registry API it reads
/// (<c>/api/...</c>) is mapped beside it by the host.
/// </summary>
public static class WebUiEndpoints
{
    /// <summary>Where the resources live: <c>wwwroot/</c> of this project, named by the SDK's convention.</summary>
    private const string ResourceRoot = "Llama.Web.wwwroot";

    public static IServiceCollection AddWebUi(this IServiceCollection services) =>
        services.AddSingleton(provider =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            return new WebUiBackends(new ServiceProxy(ServiceEndpoint.Serving(configuration)), new ServiceProxy(ServiceEndpoint.Pipeline(configuration)));
        });

    /// <summary>Serves the UI at <c>/</c> and the proxies at <c>/v1/...</c> and <c>/api/pipeline/...</c>. Call after <see cref="AddWebUi"/>.</summary>
    public static WebApplication MapWebUi(this WebApplication app)
    {
        // Resolved now so that a malformed service URL stops the start-up with its message, not the first request.
        _ = app.Services.GetRequiredService<WebUiBackends>();
        var files = new EmbeddedFileProvider(typeof(WebUiEndpoints).Assembly, ResourceRoot);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            // The files change with the binary, and the UI is small: always revalidate rather than serve a stale app.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });

        var v1 = app.MapGroup("/v1").WithTags("Chat");
        v1.MapPost("/chat/completions", (HttpContext context, WebUiBackends backends) => backends.Serving.ForwardAsync(context))
            .WithName("ProxyChatCompletions").WithSummary("Forward an OpenAI chat completion request (streamed or not) to the serving service");
        v1.MapGet("/models", (HttpContext context, WebUiBackends backends) => backends.Serving.ForwardAsync(context))
            .WithName("ProxyModels").WithSummary("Forward the OpenAI model list of the serving service");

        // The pipeline service's job API (StageJobApi), path for path: the pages submit, follow, cancel and read reports.
        var pipeline = app.MapGroup("/api/pipeline/jobs").WithTags("Pipeline");
        RequestDelegate toPipeline = context => context.RequestServices.GetRequiredService<WebUiBackends>().Pipeline.ForwardAsync(context);
        pipeline.MapPost("/", toPipeline).WithName("ProxySubmitPipelineJob").WithSummary("Submit a pipeline job (body: {\"preset\": \"smoke\"}) to the pipeline service");
        pipeline.MapGet("/", toPipeline).WithName("ProxyListPipelineJobs").WithSummary("List the pipeline service's jobs, newest first");
        pipeline.MapGet("/{id:guid}", toPipeline).WithName("ProxyGetPipelineJob").WithSummary("A pipeline job's state and progress");
        pipeline.MapGet("/{id:guid}/events", toPipeline).WithName("ProxyStreamPipelineJobEvents").WithSummary("A pipeline job's progress as server-sent events");
        pipeline.MapDelete("/{id:guid}", toPipeline).WithName("ProxyCancelPipelineJob").WithSummary("Cancel a pipeline job");
        pipeline.MapGet("/{id:guid}/report", toPipeline).WithName("ProxyGetPipelineReport").WithSummary("A finished pipeline's report (format=md or json)");

        app.MapGet("/api/web/settings", (WebUiBackends backends) => TypedResults.Ok(new WebUiSettings(
                backends.Serving.Endpoint.Url?.ToString(), backends.Serving.Endpoint.Source,
                backends.Pipeline.Endpoint.Url?.ToString(), backends.Pipeline.Endpoint.Source)))
            .WithTags("Web").WithName("GetWebUiSettings").WithSummary("Where the chat and pipelines pages' requests go");
        return app;
    }

    /// <summary>The names of the UI's embedded files (for tests and diagnostics).</summary>
    public static IReadOnlyList<string> EmbeddedFiles() =>
        [.. typeof(WebUiEndpoints).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourceRoot + ".", StringComparison.Ordinal))];
}

/// <summary>The services behind the pages: serving for chat, the pipeline service for pipelines.</summary>
public sealed record WebUiBackends(ServiceProxy Serving, ServiceProxy Pipeline);

/// <summary>What the pages show about their backends: each URL, or null with the settings that would name it.</summary>
public sealed record WebUiSettings(string? ServingUrl, string ServingUrlSource, string? PipelineUrl, string PipelineUrlSource);
