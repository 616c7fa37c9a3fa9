using Aspire.Hosting.ApplicationModel;

/// <summary>
/// Where artifacts' bytes live, and how a service is told: <c>Llama__ObjectStore</c> is a folder path or an
/// <c>s3://bucket/prefix</c> URI (PlatformSettings); for S3 the standard AWS SDK variables carry the endpoint and keys.
/// </summary>
internal abstract record ObjectStore
{
    public const string ResourceName = "objectstore";
    public const string Bucket = "llama";

    /// <summary>Points a service at this store (and makes it wait for the store's server, if there is one).</summary>
    public abstract IResourceBuilder<ProjectResource> ConnectTo(IResourceBuilder<ProjectResource> service);

    /// <summary>A folder every local service shares (no server).</summary>
    public static ObjectStore Folder(IDistributedApplicationBuilder builder, string path)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            Directory.CreateDirectory(path);
            return Task.CompletedTask;
        });
        return new SharedFolder(path);
    }

    /// <summary>
    /// MinIO, an S3-compatible server, as a container; in a cloud this is MinIO or the provider's S3. The secret key is
    /// a generated secret parameter: the published manifest carries only its name.
    /// </summary>
    public static ObjectStore Minio(IDistributedApplicationBuilder builder)
    {
        var accessKey = builder.AddParameter($"{ResourceName}-access-key", "llama", publishValueAsDefault: true);
        var secretKey = builder.AddParameter($"{ResourceName}-secret-key",
            new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
        var server = builder.AddContainer(ResourceName, "minio/minio", "RELEASE.2025-09-07T16-13-09Z")
            .WithArgs("server", "/data", "--console-address", ":9001")
            .WithHttpEndpoint(targetPort: 9000, name: "api")
            .WithHttpEndpoint(targetPort: 9001, name: "console")
            .WithEnvironment("MINIO_ROOT_USER", accessKey)
            .WithEnvironment("MINIO_ROOT_PASSWORD", secretKey)
            .WithVolume($"{ResourceName}-data", "/data")
            .WithHttpHealthCheck("/minio/health/live", endpointName: "api");
        return new S3Server(server, accessKey, secretKey);
    }

    private sealed record SharedFolder(string Path) : ObjectStore
    {
        public override IResourceBuilder<ProjectResource> ConnectTo(IResourceBuilder<ProjectResource> service) =>
            service.WithEnvironment("Llama__ObjectStore", Path);
    }

    private sealed record S3Server(
        IResourceBuilder<ContainerResource> Server, IResourceBuilder<ParameterResource> AccessKey, IResourceBuilder<ParameterResource> SecretKey)
        : ObjectStore
    {
        public override IResourceBuilder<ProjectResource> ConnectTo(IResourceBuilder<ProjectResource> service) => service
            .WithEnvironment("Llama__ObjectStore", $"s3://{Bucket}/")
            // The AWS SDK's own names, so that on AWS itself the same image needs only Llama__ObjectStore (IAM supplies keys).
            .WithEnvironment("AWS_ENDPOINT_URL_S3", Server.GetEndpoint("api"))
            .WithEnvironment("AWS_ACCESS_KEY_ID", AccessKey)
            .WithEnvironment("AWS_SECRET_ACCESS_KEY", SecretKey)
            .WithEnvironment("AWS_REGION", "us-east-1")
            .WaitFor(Server);
    }
}
