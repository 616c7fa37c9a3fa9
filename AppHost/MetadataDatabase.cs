using Aspire.Hosting.ApplicationModel;

/// <summary>
/// The metadata database as the services see it: <see cref="Server"/> to wait for, and <see cref="Database"/>, the
/// connection string named <c>metadata</c> (services read it as <c>ConnectionStrings:metadata</c>).
/// </summary>
internal sealed record MetadataDatabase(IResourceBuilder<IResource> Server, IResourceBuilder<IResourceWithConnectionString> Database)
{
    public const string ServerName = "postgres";
    public const string DatabaseName = "metadata";

    /// <summary>PostgreSQL in a container (Docker present, or a publish: the cloud gets a container or a managed server).</summary>
    public static MetadataDatabase Container(IDistributedApplicationBuilder builder)
    {
        // A named volume: the default name hashes the AppHost's path, which would differ in every checkout's manifest.
        var server = builder.AddPostgres(ServerName).WithDataVolume($"{ServerName}-data");
        return new MetadataDatabase(server, server.AddDatabase(DatabaseName));
    }

    /// <summary>The PostgreSQL binaries of this machine, in a folder under the AppHost's data directory.</summary>
    public static MetadataDatabase Local(IDistributedApplicationBuilder builder, AppHostOptions options) =>
        LocalPostgres.Add(builder, options);
}
