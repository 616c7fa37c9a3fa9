using Llama.Platform;
using Llama.Platform.Hosting;
using Llama.Platform.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llama.AppHost.Tests;

/// <summary>
/// A stage API served the way <c>llama service</c> serves it (Kestrel on a free loopback port, the platform in DI,
/// problem details), over an embedded SQLite database in a temporary folder that is deleted afterwards.
/// </summary>
internal sealed class InProcessService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private InProcessService(WebApplication app, string folder, HttpClient http)
    {
        _app = app;
        _folder = folder;
        Http = http;
    }

    public HttpClient Http { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessService> StartAsync(
        Action<IServiceCollection, PlatformSettings> addServices, Action<WebApplication> mapApi, Func<MetadataStore, Task>? seed = null)
    {
        string folder = Path.Combine(Path.GetTempPath(), "llama-service-" + Guid.NewGuid().ToString("N")[..12]);
        var settings = PlatformSettings.Embedded(folder);
        var store = new MetadataStore(settings.Metadata);
        await store.MigrateAsync();
        if (seed is not null) await seed(store);

        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddLlamaPlatform(settings);
        builder.Services.AddProblemDetails();
        addServices(builder.Services, settings);
        var app = builder.Build();
        app.UseExceptionHandler();
        mapApi(app);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new InProcessService(app, folder, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
