using System.Security.Cryptography;
using System.Text;
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
    public const string PromotedKind = "model";
    public const string FlaggedKind = "flagged-model";
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

    /// <param name="sourceArtifact">The model artifact quantized, or null for a plain directory (then registered as a <c>source</c>).</param>
    public static async Task<QuantizationRecorder> StartAsync(PlatformSettings platform, string name, string sourceDirectory,
        Artifact? sourceArtifact, QuantizeConfig config, CancellationToken cancellation)
    {
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync(cancellation);
        var registry = new ArtifactRegistry(store);
        string location = new Uri(Path.GetFullPath(sourceDirectory)).AbsoluteUri;
        // A directory another stage recorded in place (alignment's models are file:// artifacts) keeps its lineage: the
        // newest model artifact at that location is the source. Otherwise the directory is registered as a source.
        var source = sourceArtifact
            ?? (await registry.ListAsync("model", 10_000, cancellation)).Where(a => a.Uri.TrimEnd('/') == location.TrimEnd('/')).MaxBy(a => a.CreatedAt)
            ?? await registry.RegisterAsync(new NewArtifact("source", DirectoryName(sourceDirectory),
                location, DirectoryBytes(sourceDirectory), FolderSha256(sourceDirectory),
                JsonSerializer.Serialize(new { registered_by = "quantization" })), cancellation: cancellation);
        var runs = new RunTracker(store);
        var run = await runs.StartAsync("quantization", name, config.ToJson(), [(source.Id, "source-model")], cancellation: cancellation);
        return new QuantizationRecorder(registry, runs, platform.CreateObjectStore(), run, source.Id);
    }

    /// <summary>Uploads the quantized directory, registers it (promoted or flagged), logs the metrics and ends the run.</summary>
    public async Task<Guid> FinishAsync(string outputDirectory, QuantizationReport report, CancellationToken cancellation)
    {
        string prefix = $"runs/{RunId:D}/models/fp8/";
        var hashes = new StringBuilder();
        long bytes = 0;
        foreach (var path in Directory.EnumerateFiles(outputDirectory).Order(StringComparer.Ordinal))
        {
            string file = Path.GetFileName(path);
            if (file.StartsWith('.')) continue; // temporary files of atomic writes
            var info = await _objects.PutFileAsync(prefix + file, path, cancellation);
            hashes.Append(file).Append('\t').Append(info.Sha256).Append('\n');
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
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashes.ToString()))), metadata, RunId),
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

    private static string DirectoryName(string directory) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));

    private static long DirectoryBytes(string directory) => Directory.EnumerateFiles(directory).Sum(f => new FileInfo(f).Length);

    /// <summary>SHA-256 over the sorted (name, content SHA-256) lines of the directory's files: same bytes, same id.</summary>
    private static string FolderSha256(string directory)
    {
        var lines = new StringBuilder();
        foreach (var path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(path);
            lines.Append(Path.GetFileName(path)).Append('\t').Append(Convert.ToHexStringLower(SHA256.HashData(stream))).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString())));
    }
}
