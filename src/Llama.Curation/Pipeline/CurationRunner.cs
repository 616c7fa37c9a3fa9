using Llama.Curation.Ingest;
using Llama.Curation.Recording;
using Llama.Curation.Stages;
using Llama.Platform;
using Llama.Platform.Metadata;

namespace Llama.Curation.Pipeline;

/// <summary>What to curate: input files or folders, the output folder, the config, and a name for the run.</summary>
public sealed record CurationRequest(IReadOnlyList<string> Inputs, string Output, CurationConfig Config, string? Name = null)
{
    public void Validate()
    {
        if (Inputs.Count == 0) throw new ArgumentException("give at least one --input file or folder");
        foreach (var input in Inputs)
            if (!File.Exists(input) && !Directory.Exists(input)) throw new FileNotFoundException($"{input}: no such input file or folder");
        if (string.IsNullOrWhiteSpace(Output)) throw new ArgumentException("--output is required");
        if (File.Exists(Output)) throw new ArgumentException($"{Output}: the output must be a folder, not a file");
        Config.Validate();
    }
}

/// <summary>The run's report, and where it was recorded (when a platform was given).</summary>
public sealed record CurationOutcome(CurationReport Report, Guid? RunId, Guid? DatasetArtifactId);

/// <summary>
/// The one entry point of the curation stage: <c>llama curate</c> and the curation service both call it. It builds
/// the stages from the config, runs the pipeline, and records the run, its inputs and its outputs on the platform.
/// </summary>
public static class CurationRunner
{
    public static async Task<CurationOutcome> RunAsync(CurationRequest request, PlatformSettings? platform,
        IProgress<CurationProgress>? progress = null, CancellationToken cancellation = default)
    {
        request.Validate();
        var config = request.Config;
        var options = new CurationRunOptions
        {
            Output = request.Output, DocumentsPerShard = config.DocumentsPerShard, Parallelism = config.Parallelism ?? Environment.ProcessorCount,
            Tokenizer = config.Tokenizer, TokenizerVocabSize = config.TokenizerVocabSize, KeepWork = config.KeepWork,
        };
        string name = request.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Output)));
        var stages = CurationStageFactory.Create(config, CurationStageFactory.FindDataDirectory());
        try
        {
            CurationRecorder? recorder = null;
            Llama.Platform.Metadata.Run? run = null;
            if (platform is not null)
            {
                var store = new MetadataStore(platform.Metadata);
                await store.MigrateAsync(cancellation);
                recorder = new CurationRecorder(store, platform.CreateObjectStore());
                run = await recorder.StartAsync(name, request.Inputs, config.ToJson(), cancellation);
            }
            CurationReport report;
            try
            {
                var pipeline = new CurationPipeline(new FileDocumentSource(request.Inputs, config.Ingest), stages, options);
                report = await pipeline.RunAsync(request.Inputs, progress, cancellation);
            }
            catch (Exception e) when (recorder is not null && run is not null)
            {
                await recorder.FailAsync(run, e);
                throw;
            }
            var dataset = recorder is not null && run is not null ? await recorder.FinishAsync(run, report, request.Output, cancellation) : null;
            return new CurationOutcome(report, run?.Id, dataset?.Id);
        }
        finally
        {
            foreach (var stage in stages.OfType<IDisposable>()) stage.Dispose();
        }
    }
}
