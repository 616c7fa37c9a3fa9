using Aspire.Hosting.ApplicationModel;

/// <summary>Stage services: the one <c>llama</c> executable, once per role (DESIGN.md, "Why one executable").</summary>
internal static class LlamaServiceExtensions
{
    /// <summary>
    /// <c>llama service --role ROLE</c> on its own HTTP port, healthy when its <c>/health</c> (metadata database
    /// included) says so. No launch profile: the port comes from Aspire, the role from the arguments.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddLlamaService(this IDistributedApplicationBuilder builder, string role) => builder
        .AddProject<Projects.Llama_Cli>(role, launchProfileName: null)
        .WithArgs("service", "--role", role)
        .WithHttpEndpoint(name: "http")
        .WithHttpHealthCheck("/health")
        // Connection strings and service URLs only: the per-property variables (METADATA_PASSWORD, ...) would copy
        // secrets into more places, and `llama` reads none of them.
        .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString | ReferenceEnvironmentInjectionFlags.ServiceDiscovery);

    /// <summary>The metadata database as <c>ConnectionStrings:metadata</c>, started and healthy first.</summary>
    public static IResourceBuilder<ProjectResource> WithMetadata(this IResourceBuilder<ProjectResource> service, MetadataDatabase metadata) =>
        service.WithReference(metadata.Database).WaitFor(metadata.Server);

    public static IResourceBuilder<ProjectResource> WithObjectStore(this IResourceBuilder<ProjectResource> service, ObjectStore store) =>
        store.ConnectTo(service);
}
