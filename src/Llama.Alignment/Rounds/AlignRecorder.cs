using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Alignment.Rounds;

/// <summary>
/// Puts every alignment step on the record, for <c>llama align</c> and the single-stage verbs alike: one Run per step
/// (kind <c>alignment.sft</c>, <c>alignment.rm</c>, <c>alignment.rs</c>, <c>alignment.dpo</c>) with its config, inputs
/// and metrics, and its output registered as an artifact whose lineage names what it was made from (SFT from the base,
/// DPO from the SFT model and the reward model's rejection-sampled data, ...). Inputs given as folders are named by
/// <see cref="ModelArtifactFolder.FindOrRegisterAsync"/> (a published pretrained model is found by its files); outputs
/// stay in the run's folder and are recorded by <c>file://</c> URI with their <see cref="FolderContentHash"/>.
/// </summary>
public sealed class AlignRecorder
{
    private readonly RunTracker _runs;
    private readonly ArtifactRegistry _registry;

    private AlignRecorder(RunTracker runs, ArtifactRegistry registry)
    {
        _runs = runs;
        _registry = registry;
    }

    public static async Task<AlignRecorder> OpenAsync(PlatformSettings platform, CancellationToken cancellation)
    {
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync(cancellation);
        return new AlignRecorder(new RunTracker(store), new ArtifactRegistry(store));
    }

    /// <summary>The artifact of an input folder given by path (the base model, a reward model): the one it already is, else a new record.</summary>
    public async Task<Guid> RegisterInputAsync(string kind, string folder, CancellationToken cancellation) =>
        (await ModelArtifactFolder.FindOrRegisterAsync(_registry, folder, kind, cancellation)).Id;

    /// <summary>
    /// The SFT step's pretraining-text input (<c>sft.pretrainingTokens</c>): the dataset the curation stage published
    /// when the folder is its output (that artifact is recorded by the hash of the curation report), so lineage runs
    /// from the SFT model back to the raw corpus; otherwise the folder, named by its files.
    /// </summary>
    public async Task<List<(Guid Id, string Role)>> PretrainingTextInputAsync(Sft.SftOptions sft, CancellationToken cancellation)
    {
        if (sft.PretrainingTokens is not { } folder) return [];
        if (Sft.PretrainingText.CurationReportOf(folder) is { } report)
        {
            string sha = FileContentHash.Sha256(report);
            if ((await _registry.WithContentAsync(sha, ["dataset"], cancellation)).FirstOrDefault() is { } published) return [(published.Id, "pretraining-text")];
        }
        return [(await RegisterInputAsync("dataset", folder, cancellation), "pretraining-text")];
    }

    /// <summary>Runs one step as a recorded Run; <paramref name="step"/> returns the output folder, its metrics and metadata.</summary>
    public async Task<Guid> StepAsync(string kind, string name, string configJson, IReadOnlyList<(Guid Id, string Role)> inputs, string outputKind,
        Func<Task<(string Folder, IReadOnlyDictionary<string, double> Metrics)>> step, CancellationToken cancellation)
    {
        var run = await _runs.StartAsync(kind, name, configJson, inputs, cancellation: cancellation);
        try
        {
            var (folder, metrics) = await step();
            var finite = metrics.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value);
            if (finite.Count > 0) await _runs.LogMetricsAsync(run.Id, 0, finite, cancellation);
            var content = await FolderContentHash.OfAsync(folder, cancellation);
            var artifact = await _registry.RegisterAsync(
                new NewArtifact(outputKind, name, ModelArtifactFolder.LocationOf(folder), content.SizeBytes, content.Sha256, null, run.Id),
                inputs.Select(i => (i.Id, i.Role)), cancellation);
            await _runs.FinishAsync(run.Id, RunStatus.Succeeded, cancellation: cancellation);
            return artifact.Id;
        }
        catch (Exception e)
        {
            await _runs.FinishAsync(run.Id, e is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed, e.Message, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Runs a step: recorded by <paramref name="recorder"/> when there is one (then its output artifact's id), else just run.</summary>
    internal static async Task<Guid?> RunStepAsync(AlignRecorder? recorder, string kind, string name, string configJson, IReadOnlyList<(Guid Id, string Role)> inputs,
        string outputKind, Func<Task<(string Folder, Dictionary<string, double> Metrics)>> step, CancellationToken cancellation)
    {
        if (recorder is null)
        {
            await step();
            return null;
        }
        return await recorder.StepAsync(kind, name, configJson, inputs, outputKind, async () =>
        {
            var (folder, metrics) = await step();
            return (folder, (IReadOnlyDictionary<string, double>)metrics);
        }, cancellation);
    }
}
