using Llama.Platform.Jobs;
using Llama.Platform.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;

namespace Llama.Platform.Hosting;

/// <summary>Registers the platform's shared state (metadata database) for a service host.</summary>
public static class PlatformServiceCollectionExtensions
{
    /// <summary>
    /// A singleton <see cref="MetadataStore"/> for <paramref name="settings"/>, a scoped <see cref="MetadataDbContext"/>
    /// (one per request) and the <c>metadata</c> health check that opens a real connection.
    /// </summary>
    public static IServiceCollection AddLlamaPlatform(this IServiceCollection services, PlatformSettings settings)
    {
        var store = new MetadataStore(settings.Metadata);
        services.AddSingleton(settings);
        services.AddSingleton(store);
        services.AddScoped(provider => provider.GetRequiredService<MetadataStore>().CreateContext());
        services.AddSingleton(provider => new JobQueue(provider.GetRequiredService<MetadataStore>()));
        services.AddHealthChecks().AddCheck<MetadataDatabaseHealthCheck>("metadata", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// A background <see cref="JobWorker"/> on the stage's queue running the handlers <paramref name="register"/>
    /// adds: the one job-runner pattern every stage service uses. <paramref name="configure"/> sets the stage's own
    /// defaults; <c>Llama:Jobs:LeaseSeconds</c> / <c>Llama:Jobs:PollSeconds</c> in configuration override them.
    /// </summary>
    public static IServiceCollection AddStageJobWorker(this IServiceCollection services, string stage, Action<JobHandlerRegistry> register,
        Func<JobWorkerOptions, JobWorkerOptions>? configure = null)
    {
        var handlers = new JobHandlerRegistry();
        register(handlers);
        var options = new JobWorkerOptions { Queue = stage };
        if (configure is not null) options = configure(options);
        services.AddHostedService(provider => new JobWorker(
            provider.GetRequiredService<JobQueue>(), handlers, options.WithConfiguration(provider.GetService<IConfiguration>()), provider.GetService<ILogger<JobWorker>>()));
        return services;
    }
}
