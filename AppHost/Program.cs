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
var evaluation = builder.AddLlamaService("evaluation")
    .WithMetadata(metadata)
    .WithObjectStore(objects)
    .WaitFor(registry);
var quantization = builder.AddLlamaService("quantization")
    .WithMetadata(metadata)
    .WithObjectStore(objects)
    .WaitFor(registry);

// The lifecycle through the stage services: a pipeline job here submits each step as a job to its stage's service.
// The dashboard's "Run the smoke pipeline" command on this resource starts one.
var pipeline = builder.AddLlamaService("pipeline")
    .WithMetadata(metadata)
    .WithObjectStore(objects)
    .WaitFor(registry)
    .WithReference(curation)
    .WithReference(pretraining)
    .WithReference(alignment)
    .WithReference(quantization)
    .WithReference(evaluation)
    .WithHttpCommand("/api/pipeline/jobs", "Run the smoke pipeline", commandName: "run-smoke-pipeline", commandOptions: new HttpCommandOptions
    {
        Method = HttpMethod.Post,
        Description = "Submit a pipeline job (preset smoke): curate, pretrain and every later stage through the services",
        IconName = "Play",
        PrepareRequest = context =>
        {
            context.Request.Content = System.Net.Http.Json.JsonContent.Create(new { preset = "smoke" });
            return Task.CompletedTask;
        },
    });

// The web UI (datasets, runs, lineage, evaluations, pipelines, chat): the one endpoint meant for people, so the only
// one a published app exposes outside the cluster. It reads the registry API itself, forwards pipeline jobs to the
// pipeline service (its "Run pipeline" button does what the dashboard command does) and chat to serving.
var web = builder.AddLlamaService("web")
    .WithMetadata(metadata)
    .WithObjectStore(objects)
    .WaitFor(registry)
    .WithReference(pipeline)
    .WithExternalHttpEndpoints();
// When the serving service exists (below), the web UI's chat goes to it: its URL arrives as services__serving__http__0,
// which the chat proxy reads (`Llama__ServingUrl` overrides it).

if (!builder.ExecutionContext.IsPublishMode)
{
    // Where their jobs write by default (in a cloud: the container's working folder or a mounted volume).
    curation.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "curation"));
    pretraining.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "pretraining"));
    alignment.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "alignment"));
    evaluation.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "evaluation"));
    quantization.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "quantization"));
    pipeline.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "pipeline"));
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
    web.WithReference(serving);
    if (!builder.ExecutionContext.IsPublishMode)
        serving.WithEnvironment("Llama__Home", Path.Combine(options.DataDirectory, "serving")); // fetched model files
}

builder.Build().Run();
