using Llama.Serving.Api;
using Llama.Serving.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Llama.Serving.Tests;

/// <summary>The OpenAI server on a loopback port (real Kestrel, real sockets), serving <see cref="TinyModel"/>.</summary>
public sealed class ServingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServingServer(WebApplication app, ServedModel model, ServingOptions options)
    {
        _app = app;
        Model = model;
        Options = options;
        BaseAddress = new Uri(app.Urls.First());
    }

    public Uri BaseAddress { get; }
    public Uri V1 => new(BaseAddress, "/v1");
    public ServedModel Model { get; }
    public ServingOptions Options { get; }

    public static async Task<ServingServer> StartAsync(ServingOptions? options = null)
    {
        options ??= new ServingOptions();
        options = options with { Engine = options.Engine with { MaxModelLength = options.Engine.MaxModelLength > 0 ? options.Engine.MaxModelLength : 256 } };
        var model = ServedModel.Load(TinyModel.Directory, TinyModel.Name, options);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddLlamaServing(options, model);
        var app = builder.Build();
        app.MapHealthChecks("/health");
        app.MapServingApi();
        await app.StartAsync();
        return new ServingServer(app, model, options);
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Model.Dispose();
    }
}

/// <summary>One server shared by the API tests of a class (loading and starting it once).</summary>
public sealed class ServingServerFixture : IAsyncLifetime
{
    public ServingServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServingServer.StartAsync(new ServingOptions { Limits = new ServingLimits { MaxTokens = 512, MaxRequestBodyBytes = 64 * 1024 } });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
