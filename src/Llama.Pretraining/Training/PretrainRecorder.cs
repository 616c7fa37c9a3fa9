using System.Text.Json;
using Llama.Pretraining.Checkpointing;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Pretraining.Training;

/// <summary>
/// Puts a pretraining run on the record: a <c>pretraining</c> Run with its config (and its dataset as input when
/// known), the step metrics (batched every <c>logEvery</c> steps), each checkpoint uploaded and registered with
/// step, tokens and loss, and the final averaged model as a <c>model</c> artifact.
/// </summary>
/// <remarks>
/// A resumed run is a new Run. It finds what the interrupted run published in the checkpoint folder's
/// <see cref="PublishedCheckpointIndex"/>: its first checkpoint continues from the last published one, and the final
/// model names every averaged checkpoint as a parent; one that was never published (a crash between saving and
/// publishing) is published by this run before the model is.
/// </remarks>
internal sealed class PretrainRecorder
{
    private readonly RunTracker _runs;
    private readonly CheckpointPublisher _publisher;
    private readonly PretrainConfig _config;
    private readonly Guid? _datasetId;
    private readonly TrainingCheckpointStore _checkpoints;
    private readonly PublishedCheckpointIndex _published;
    private readonly List<TrainingStep> _pending = [];
    private bool _publishedInThisRun;

    private PretrainRecorder(Run run, RunTracker runs, CheckpointPublisher publisher, PretrainConfig config, Guid? datasetId,
        TrainingCheckpointStore checkpoints, PublishedCheckpointIndex published)
    {
        RunId = run.Id;
        _runs = runs;
        _publisher = publisher;
        _config = config;
        _datasetId = datasetId;
        _checkpoints = checkpoints;
        _published = published;
    }

    public Guid RunId { get; }

    public static async Task<PretrainRecorder> StartAsync(PlatformSettings platform, PretrainRequest request, PretrainConfig config,
        TrainingCheckpointStore checkpoints, CancellationToken cancellation)
    {
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync(cancellation);
        var registry = new ArtifactRegistry(store);
        Guid? dataset = null;
        if (!Directory.Exists(request.Data)) dataset = (await registry.ResolveAsync(request.Data, cancellation)).Id;
        var runs = new RunTracker(store);
        string name = request.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Output)));
        var run = await runs.StartAsync("pretraining", name, config.ToJson(), dataset is { } id ? [(id, "dataset")] : null, cancellation: cancellation);
        var published = PublishedCheckpointIndex.Load(checkpoints.Root);
        await published.KeepOnlyAsync(async artifact =>
        {
            try { await registry.GetAsync(artifact, cancellation); return true; }
            catch (ArtifactNotFoundException) { return false; }
        });
        return new PretrainRecorder(run, runs, new CheckpointPublisher(platform.CreateObjectStore(), registry), config, dataset, checkpoints, published);
    }

    /// <summary>
    /// Buffers step metrics and writes them every <c>logEvery</c> steps (and at evaluations), on the trainer's thread:
    /// one writer at a time, which SQLite needs.
    /// </summary>
    public void Observe(TrainingStep step)
    {
        _pending.Add(step);
        if (_pending.Count >= _config.LogEvery || step.ValidationLoss is not null) FlushAsync().GetAwaiter().GetResult();
    }

    private async Task FlushAsync()
    {
        List<TrainingStep> batch = [.. _pending];
        _pending.Clear();
        foreach (var s in batch)
        {
            var values = new Dictionary<string, double>
            {
                ["loss"] = s.Loss, ["learning_rate"] = s.LearningRate, ["gradient_norm"] = s.GradientNorm,
                ["tokens_per_second"] = s.TokensPerSecond, ["mfu"] = s.Mfu, ["tokens_seen"] = s.TokensSeen,
            };
            if (s.ValidationLoss is { } v) values["validation_loss"] = v;
            await _runs.LogMetricsAsync(RunId, s.Step, values);
        }
    }

    public async Task CheckpointAsync(CheckpointInfo info, TrainerState state, CancellationToken cancellation)
    {
        await FlushAsync();
        await PublishAsync(info, state, cancellation);
    }

    private async Task PublishAsync(CheckpointInfo info, TrainerState state, CancellationToken cancellation)
    {
        // Within this run the publisher links each checkpoint to the one before it; the first one links to the
        // dataset, or, when the run resumes an interrupted one, to that run's last checkpoint before it.
        var parents = new List<(Guid, string)>();
        if (!_publishedInThisRun)
        {
            var before = _published.Artifacts.Where(p => p.Key < info.Step).Select(p => (Guid?)p.Value).LastOrDefault();
            if (before is { } previous) parents.Add((previous, CheckpointPublisher.ContinuedFromRelation));
            else if (_datasetId is { } d) parents.Add((d, "input"));
        }
        var published = await _publisher.PublishAsync(RunId, info, state.TokensSeen, state.LastLoss, parents,
            state.AnnealCheckpointSteps.Contains(info.Step) ? "anneal" : null, cancellation);
        _publishedInThisRun = true;
        _published.Record(info.Step, published.Artifact.Id);
    }

    public async Task<Guid> FinishAsync(string modelDirectory, PretrainReport report, CancellationToken cancellation)
    {
        await FlushAsync();
        // Lineage names every checkpoint that went into the Polyak average, also those of an interrupted run.
        foreach (var step in report.AveragedCheckpoints.Where(step => !_published.Artifacts.ContainsKey(step)))
        {
            using var loaded = _checkpoints.Load(step, verifyChecksums: false); // the publisher checks every file's hash
            var state = JsonSerializer.Deserialize<TrainerState>(loaded.TrainerStateJson, JsonSerializerOptions.Web)!;
            await PublishAsync(_checkpoints.List().Single(c => c.Step == step), state, cancellation);
        }
        var parents = report.AveragedCheckpoints.Select(step => (_published.Artifacts[step], "averaged-from")).ToList();
        var model = await _publisher.PublishModelAsync(modelDirectory, RunId, "final", parents,
            JsonSerializer.Serialize(new { validation_loss = report.FinalValidationLoss, unigram_baseline = report.UnigramBaseline, tokens = report.TokensSeen }), cancellation);
        await _runs.LogMetricsAsync(RunId, report.Steps, new Dictionary<string, double> { ["final_validation_loss"] = report.FinalValidationLoss }, cancellation);
        await _runs.FinishAsync(RunId, RunStatus.Succeeded, cancellation: cancellation);
        return model.Id;
    }

    public Task FailAsync(Exception error) =>
        _runs.FinishAsync(RunId, error is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed, error.Message, CancellationToken.None);
}
