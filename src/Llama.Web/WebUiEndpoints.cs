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
/// <c>/v1/chat/completions</c> and <c>/v1/models</c> forwarded to the serving service so the browser talks to one
/// origin (no CORS). The registry API it reads (<c>/api/...</c>) is mapped beside it by the host.
/// </summary>
public static class WebUiEndpoints
{
    /// <summary>Where the resources live: <c>wwwroot/</c> of this project, named by the SDK's convention.</summary>
    private const string ResourceRoot = "Llama.Web.wwwroot";

    public static IServiceCollection AddWebUi(this IServiceCollection services) =>
        services.AddSingleton(provider => new ServingProxy(ServingEndpoint.From(provider.GetRequiredService<IConfiguration>())));

    /// <summary>Serves the UI at <c>/</c> and the chat proxy at <c>/v1/...</c>. Call after <see cref="AddWebUi"/>.</summary>
    public static WebApplication MapWebUi(this WebApplication app)
    {
        // Resolved now so that a malformed serving URL stops the start-up with its message, not the first chat.
        _ = app.Services.GetRequiredService<ServingProxy>();
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
        v1.MapPost("/chat/completions", (HttpContext context, ServingProxy proxy) => proxy.ForwardAsync(context, "v1/chat/completions"))
            .WithName("ProxyChatCompletions").WithSummary("Forward an OpenAI chat completion request (streamed or not) to the serving service");
        v1.MapGet("/models", (HttpContext context, ServingProxy proxy) => proxy.ForwardAsync(context, "v1/models"))
            .WithName("ProxyModels").WithSummary("Forward the OpenAI model list of the serving service");
        app.MapGet("/api/web/settings", (ServingProxy proxy) => TypedResults.Ok(new WebUiSettings(proxy.Endpoint.Url?.ToString(), proxy.Endpoint.Source)))
            .WithTags("Web").WithName("GetWebUiSettings").WithSummary("Where the chat page's requests go");
        return app;
    }

    /// <summary>The names of the UI's embedded files (for tests and diagnostics).</summary>
    public static IReadOnlyList<string> EmbeddedFiles() =>
        [.. typeof(WebUiEndpoints).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourceRoot + ".", StringComparison.Ordinal))];
}

/// <summary>What the chat page shows about its backend: the serving URL, or null with the settings that would name it.</summary>
public sealed record WebUiSettings(string? ServingUrl, string ServingUrlSource);
