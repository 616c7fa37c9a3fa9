// The system diagram (DESIGN.md): the metadata database, the object store, then one `llama service` per stage.
// Without a container engine (this project's CI and dev machines) PostgreSQL runs from the machine's binaries and
// the object store is a shared folder; with one, or when publishing, both are containers (PostgreSQL, MinIO).
var builder = DistributedApplication.CreateBuilder(args);
var options = AppHostOptions.From(builder);

var metadata = options.UseContainers
    ? MetadataDatabase.Container(builder)
    : MetadataDatabase.Local(builder, options);

var objects = options.UseContainers
    ? ObjectStore.Minio(builder)
    : ObjectStore.Folder(builder, Path.Combine(options.DataDirectory, "objects"));

var registry = builder.AddLlamaService("registry")
    .WithMetadata(metadata)
    .WithObjectStore(objects);

// Stage services start after the registry: it applies the metadata migrations first, and two `dotnet run` of the
// same project starting at the same moment on a fresh clone trip over each other (seen in CI: one never starts).
var curation = builder.AddLlamaService("curation")
    .WithMetadata(metadata)
    .WithObjectStore(objects)
    .WaitFor(registry);
var pretraining = builder.AddLlamaService("pretraining")
    .WithMetadata(metadata)
    .WithObjectStore(objects)
    .WaitFor(registry);

if (!builder.ExecutionContext.IsPublishMode)
{
    // Where their jobs write by default (in a cloud: the container's working folder or a mounted volume).
    curation.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "curation"));
    pretraining.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "pretraining"));
}

// The OpenAI-compatible server runs the engine on one model: `Llama:Serving:Model` (AppHost configuration, e.g.
// `--Llama:Serving:Model=<model artifact id>` from the pretraining service, or an HF directory). Without a model
// there is nothing to serve, so the service is only added when one is configured.
if (builder.Configuration["Llama:Serving:Model"] is { Length: > 0 } servedModel)
{
    var serving = builder.AddLlamaService("serving")
        .WithMetadata(metadata)
        .WithObjectStore(objects)
        .WithEnvironment("Llama__Serving__Model", servedModel)
        .WaitFor(registry);
    if (!builder.ExecutionContext.IsPublishMode)
        serving.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "serving")); // fetched model files
}

builder.Build().Run();
