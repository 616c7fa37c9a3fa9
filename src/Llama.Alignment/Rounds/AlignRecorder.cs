using System.Security.Cryptography;
using System.Text;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Alignment.Rounds;

/// <summary>
/// Puts every alignment step on the record: one Run per step (kind <c>alignment.sft</c>, <c>alignment.rm</c>,
/// <c>alignment.rs</c>, <c>alignment.dpo</c>) with its config, inputs and metrics, and its output registered as an
/// artifact whose lineage names what it was made from (SFT from the base, DPO from the SFT model and the reward
/// model's rejection-sampled data, ...). Outputs stay in the run's folder and are recorded by <c>file://</c> URI with
/// the SHA-256 of their file manifest.
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

    /// <summary>
    /// The artifact of an input folder given by path (the base model): the one already recorded with the same location
    /// and content, else a new one.
    /// </summary>
    public async Task<Guid> RegisterInputAsync(string kind, string folder, CancellationToken cancellation)
    {
        var spec = Describe(kind, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), folder, null);
        var known = (await _registry.ListAsync(kind, 10_000, cancellation)).FirstOrDefault(a => a.Uri == spec.Uri && a.Sha256 == spec.Sha256);
        return known?.Id ?? (await _registry.RegisterAsync(spec, null, cancellation)).Id;
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
            var artifact = await _registry.RegisterAsync(Describe(outputKind, name, folder, run.Id), inputs.Select(i => (i.Id, i.Role)), cancellation);
            await _runs.FinishAsync(run.Id, RunStatus.Succeeded, cancellation: cancellation);
            return artifact.Id;
        }
        catch (Exception e)
        {
            await _runs.FinishAsync(run.Id, e is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed, e.Message, CancellationToken.None);
            throw;
        }
    }

    private static NewArtifact Describe(string kind, string name, string folder, Guid? runId)
    {
        string root = Path.GetFullPath(folder);
        var files = (Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories) : [root])
            .Order(StringComparer.Ordinal).ToList();
        var manifest = new StringBuilder();
        long size = 0;
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            manifest.Append(Convert.ToHexStringLower(SHA256.HashData(stream))).Append("  ").Append(Path.GetRelativePath(root, file)).Append('\n');
            size += new FileInfo(file).Length;
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
        return new NewArtifact(kind, name, new Uri(root).AbsoluteUri, size, sha, null, runId);
    }
}
