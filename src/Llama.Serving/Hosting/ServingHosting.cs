using Llama.Platform;
using Llama.Serving.Api;
using Llama.Serving.Metrics;
using Llama.Serving.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Llama.Serving.Hosting;

/// <summary>
/// Wires a serving process: the served model and its engine as singletons, a health check on the engine, and
/// the endpoints (<see cref="MapServingApi"/>). <c>llama serve</c>, the <c>serving</c> service role and the tests
/// all host it the same way.
/// </summary>
public static class ServingHosting
{
    /// <summary>Serves an already loaded model (tests, and `llama serve` which loads before listening).</summary>
    public static IServiceCollection AddLlamaServing(this IServiceCollection services, ServingOptions options, ServedModel model)
    {
        services.AddSingleton(options);
        services.AddSingleton(model);
        return AddShared(services);
    }

    /// <summary>
    /// Serves the model named by the <c>Llama:Serving</c> configuration section (a directory or a model artifact
    /// id, fetched through the platform), loaded when the host starts.
    /// </summary>
    public static IServiceCollection AddLlamaServing(this IServiceCollection services, PlatformSettings platform)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ServingOptions>();
            if (string.IsNullOrWhiteSpace(options.Model))
                throw new InvalidOperationException($"the serving role needs a model: set {ServingOptions.Section}:Model (a directory or a model artifact id)");
            var (directory, name) = ModelLocator.ResolveAsync(options.Model, platform, CancellationToken.None).GetAwaiter().GetResult();
            return ServedModel.Load(directory, options.ModelName ?? name, options);
        });
        return AddShared(services);
    }

    private static IServiceCollection AddShared(IServiceCollection services)
    {
        services.AddSingleton(sp => new ServingMetrics(sp.GetRequiredService<ServedModel>().Engine));
        services.AddHealthChecks().AddCheck<EngineHealthCheck>("engine");
        return services;
    }

    /// <summary>The OpenAI API, <c>/metrics</c> (Prometheus) and the chat page at <c>/</c>. Loads the model now if it is not yet.</summary>
    public static IEndpointRouteBuilder MapServingApi(this IEndpointRouteBuilder app)
    {
        _ = app.ServiceProvider.GetRequiredService<ServingMetrics>();
        app.MapOpenAiApi();
        app.MapGet("/metrics", async (HttpContext context, ServingMetrics metrics) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
        }).WithName("Metrics");
        app.MapGet("/", () => Results.Content(ChatPage.Html, "text/html; charset=utf-8")).WithName("ChatPage");
        return app;
    }
}
