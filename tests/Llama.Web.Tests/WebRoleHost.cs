using Llama.Platform;
using Llama.Platform.Hosting;
using Llama.Platform.Metadata;
using Llama.Platform.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Llama.Web.Tests;

/// <summary>
/// The web role as <c>llama service --role web</c> composes it (the platform, problem details, the registry API and
/// the UI with its chat and pipeline proxies), on a free loopback port over a seeded SQLite database in a temporary folder.
/// </summary>
internal sealed class WebRoleHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private WebRoleHost(WebApplication app, Uri address, string folder, SeededPlatform seed, MetadataStore store)
    {
        Store = store;
        _app = app;
        Address = address;
        _folder = folder;
        Seed = seed;
        Http = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }
    public HttpClient Http { get; }
    public SeededPlatform Seed { get; }

    /// <summary>The database behind the host, for tests that change it while a page is open.</summary>
    public MetadataStore Store { get; }

    /// <param name="servingUrl">What <c>Llama:ServingUrl</c> says; null leaves the chat backend unconfigured.</param>
    /// <param name="pipelineUrl">What <c>Llama:PipelineUrl</c> says; null leaves the pipelines page without a service.</param>
    public static async Task<WebRoleHost> StartAsync(string? servingUrl, string? pipelineUrl = null)
    {
        string folder = Path.Combine(Path.GetTempPath(), "llama-web-" + Guid.NewGuid().ToString("N")[..12]);
        var settings = PlatformSettings.Embedded(folder);
        var store = new MetadataStore(settings.Metadata);
        await store.MigrateAsync();
        var seed = await SeededPlatform.SeedAsync(store);

        var (app, address) = await LoopbackServer.StartAsync(builder =>
        {
            if (servingUrl is not null) builder.Configuration[ServiceEndpoint.ServingUrlKey] = servingUrl;
            if (pipelineUrl is not null) builder.Configuration[ServiceEndpoint.PipelineUrlKey] = pipelineUrl;
            builder.Services.AddLlamaPlatform(settings);
            builder.Services.AddProblemDetails();
            builder.Services.AddWebUi();
        }, app =>
        {
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            app.MapRegistryApi();
            app.MapWebUi();
        });
        return new WebRoleHost(app, address, folder, seed, store);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
