using Llama.Platform.Metadata;
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
        services.AddHealthChecks().AddCheck<MetadataDatabaseHealthCheck>("metadata", tags: ["ready"]);
        return services;
    }
}
