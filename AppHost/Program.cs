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
var alignment = builder.AddLlamaService("alignment")
    .WithMetadata(metadata)
    .WithObjectStore(objects)
    .WaitFor(registry);

if (!builder.ExecutionContext.IsPublishMode)
{
    // Where their jobs write by default (in a cloud: the container's working folder or a mounted volume).
    curation.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "curation"));
    pretraining.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "pretraining"));
    alignment.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "alignment"));
}

builder.Build().Run();
