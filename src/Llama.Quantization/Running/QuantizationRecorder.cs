using System.Text.Json;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Llama.Platform.Storage;

namespace Llama.Quantization.Running;

/// <summary>
/// Puts a quantization on the record: a <c>quantization</c> Run with its config and the source model as input; the
/// quantized directory uploaded to the object store and registered with lineage <c>quantized-from</c> the source.
/// A model within the quality budget is registered as a <c>model</c> (promoted: stages that look for models find
/// it); one that is not, as a <c>flagged-model</c>, kept for inspection but not offered as a model.
/// </summary>
internal sealed class QuantizationRecorder
{
    public const string PromotedKind = ModelArtifactFolder.ModelKind;
    public const string FlaggedKind = ModelArtifactFolder.FlaggedModelKind;
    public const string LineageRelation = "quantized-from";

    private readonly ArtifactRegistry _registry;
    private readonly RunTracker _runs;
    private readonly IObjectStore _objects;
    private readonly Guid _source;

    private QuantizationRecorder(ArtifactRegistry registry, RunTracker runs, IObjectStore objects, Run run, Guid source)
    {
        _registry = registry;
        _runs = runs;
        _objects = objects;
        RunId = run.Id;
        _source = source;
    }

    public Guid RunId { get; }

    /// <param name="sourceArtifact">The model artifact quantized, or null for a plain directory (then found or registered by <see cref="ModelArtifactFolder.FindOrRegisterAsync"/>).</param>
    public static async Task<QuantizationRecorder> StartAsync(PlatformSettings platform, string name, string sourceDirectory,
        Artifact? sourceArtifact, QuantizeConfig config, CancellationToken cancellation)
    {
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync(cancellation);
        var registry = new ArtifactRegistry(store);
        // The artifact the source already is (pretraining's published model, alignment's output, an earlier record of
        // the folder), found by its files; a folder no stage recorded becomes a file:// model artifact.
        var source = sourceArtifact ?? await ModelArtifactFolder.FindOrRegisterAsync(registry, sourceDirectory, cancellation: cancellation);
        var runs = new RunTracker(store);
        var run = await runs.StartAsync("quantization", name, config.ToJson(), [(source.Id, "source-model")], cancellation: cancellation);
        return new QuantizationRecorder(registry, runs, platform.CreateObjectStore(), run, source.Id);
    }

    /// <summary>Uploads the quantized directory, registers it (promoted or flagged), logs the metrics and ends the run.</summary>
    public async Task<Guid> FinishAsync(string outputDirectory, QuantizationReport report, CancellationToken cancellation)
    {
        string prefix = $"runs/{RunId:D}/models/fp8/";
        var hashes = new List<KeyValuePair<string, string>>();
        long bytes = 0;
        foreach (var path in Directory.EnumerateFiles(outputDirectory).Order(StringComparer.Ordinal))
        {
            string file = Path.GetFileName(path);
            if (file.StartsWith('.')) continue; // temporary files of atomic writes
            var info = await _objects.PutFileAsync(prefix + file, path, cancellation);
            hashes.Add(KeyValuePair.Create(file, info.Sha256));
            bytes += info.SizeBytes;
        }
        var metadata = JsonSerializer.Serialize(new
        {
            quant_method = "fbgemm_fp8",
            promoted = report.Promoted,
            perplexity = report.Quality.QuantizedPerplexity,
            reference_perplexity = report.Quality.ReferencePerplexity,
            top1_agreement = report.Quality.Top1Agreement,
            violations = report.Quality.Violations,
        });
        var artifact = await _registry.RegisterAsync(new NewArtifact(report.Promoted ? PromotedKind : FlaggedKind, "fp8", prefix, bytes,
            FolderContentHash.OfManifest(FolderContentHash.ManifestText(hashes)), metadata, RunId),
            [(_source, LineageRelation)], cancellation);
        await _runs.LogMetricsAsync(RunId, 0, new Dictionary<string, double>
        {
            ["reference_perplexity"] = report.Quality.ReferencePerplexity,
            ["perplexity"] = report.Quality.QuantizedPerplexity,
            ["perplexity_increase"] = report.Quality.PerplexityIncrease,
            ["top1_agreement"] = report.Quality.Top1Agreement,
            ["continuation_prefix_agreement"] = report.Quality.ContinuationPrefixAgreement,
            ["row_error_p99"] = report.RowErrors.P99,
            ["size_ratio"] = report.Size.Ratio,
            ["promoted"] = report.Promoted ? 1 : 0,
        }, cancellation);
        await _runs.FinishAsync(RunId, RunStatus.Succeeded, cancellation: cancellation);
        return artifact.Id;
    }

    public Task FailAsync(Exception error) =>
        _runs.FinishAsync(RunId, error is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed, error.Message, CancellationToken.None);
}
