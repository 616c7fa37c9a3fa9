using System.Text.Json;
using Llama.Curation.Pipeline;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Llama.Platform.Storage;

namespace Llama.Curation.Recording;

/// <summary>
/// Puts a curation run on the record: a Run (kind <c>curation</c>) with its config and its inputs as <c>source</c>
/// artifacts; afterwards the token shards, the tokenizer and the report go to the object store and become
/// artifacts with lineage (sources → dataset → shards), a Dataset with its Shards, and the run's metrics.
/// </summary>
public sealed class CurationRecorder(MetadataStore store, IObjectStore objects)
{
    private readonly ArtifactRegistry _artifacts = new(store);
    private readonly RunTracker _runs = new(store);

    public async Task<Run> StartAsync(string name, IReadOnlyList<string> inputs, string configJson, CancellationToken cancellation)
    {
        var sources = new List<(Guid, string)>();
        foreach (var input in inputs)
        {
            var (bytes, sha, files) = InputFingerprint.Of(input);
            var artifact = await _artifacts.RegisterAsync(new NewArtifact("source", Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(input))),
                new Uri(Path.GetFullPath(input)).AbsoluteUri, bytes, sha, JsonSerializer.Serialize(new { files })), cancellation: cancellation);
            sources.Add((artifact.Id, "source"));
        }
        return await _runs.StartAsync("curation", name, configJson, sources, cancellation: cancellation);
    }

    /// <summary>Uploads and registers the outputs; returns the dataset artifact.</summary>
    public async Task<Artifact> FinishAsync(Run run, CurationReport report, string outputFolder, CancellationToken cancellation)
    {
        string prefix = $"datasets/curation-{run.Id:N}";
        var sourceIds = run.Inputs.Select(i => i.ArtifactId).ToList();

        var reportInfo = await objects.PutFileAsync($"{prefix}/report.json", Path.Combine(outputFolder, "report.json"), cancellation);
        var dataset = await _artifacts.RegisterAsync(
            new NewArtifact("dataset", run.Name, reportInfo.Key, reportInfo.SizeBytes, reportInfo.Sha256,
                JsonSerializer.Serialize(new { documents = report.Output.Documents, tokens = report.Output.Tokens, output = Path.GetFullPath(outputFolder) }), run.Id),
            sourceIds.Select(id => (id, "input")), cancellation);

        if (report.Output.TokenizerTrained)
        {
            var info = await objects.PutFileAsync($"{prefix}/tokenizer/tokenizer.model", Path.Combine(report.Output.TokenizerPath, "tokenizer.model"), cancellation);
            foreach (var extra in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                string path = Path.Combine(report.Output.TokenizerPath, extra);
                if (File.Exists(path)) await objects.PutFileAsync($"{prefix}/tokenizer/{extra}", path, cancellation);
            }
            await _artifacts.RegisterAsync(new NewArtifact("tokenizer", $"{run.Name}-tokenizer", info.Key, info.SizeBytes, info.Sha256,
                JsonSerializer.Serialize(new { vocab_size = report.Output.VocabSize }), run.Id), [(dataset.Id, "trained-on")], cancellation);
        }

        var shards = new List<NewShard>();
        for (int i = 0; i < report.Output.TokenFiles.Count; i++)
        {
            var file = report.Output.TokenFiles[i];
            var info = await objects.PutFileAsync($"{prefix}/{file.Path.Replace('\\', '/')}", Path.Combine(outputFolder, file.Path), cancellation);
            var shard = await _artifacts.RegisterAsync(new NewArtifact("shard", $"{run.Name}/{Path.GetFileName(file.Path)}", info.Key, info.SizeBytes, info.Sha256,
                JsonSerializer.Serialize(new { documents = file.Documents, tokens = file.Tokens }), run.Id), [(dataset.Id, "part-of")], cancellation);
            shards.Add(new NewShard(i, shard.Id, file.Documents, file.Tokens, Split: "train"));
        }
        await _artifacts.RegisterDatasetAsync(run.Name, dataset.Id, shards, $"curated by run {run.Id}", cancellation);

        var metrics = new Dictionary<string, double>
        {
            ["documents_in"] = report.Ingest.DocumentsIn, ["documents_out"] = report.Output.Documents,
            ["tokens_out"] = report.Output.Tokens, ["seconds"] = report.Seconds, ["peak_memory_mb"] = report.PeakMemoryBytes / 1e6,
        };
        foreach (var stage in report.Stages) metrics[$"dropped.{stage.Stage}"] = stage.DocumentsDropped;
        await _runs.LogMetricsAsync(run.Id, 0, metrics, cancellation);
        await _runs.FinishAsync(run.Id, RunStatus.Succeeded, cancellation: cancellation);
        return dataset;
    }

    public Task FailAsync(Run run, Exception error) =>
        _runs.FinishAsync(run.Id, error is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed, error.Message, CancellationToken.None);
}
