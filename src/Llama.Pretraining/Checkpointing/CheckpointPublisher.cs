using System.Text.Json.Nodes;
using Llama.Core.Checkpoints;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Llama.Platform.Storage;
using static Llama.Pretraining.Checkpointing.TrainingCheckpointFiles;

namespace Llama.Pretraining.Checkpointing;

/// <summary>
/// Makes checkpoints and exported models artifacts: uploads a folder's files to the object store under one key
/// prefix, then records the artifact (its hash is the SHA-256 of the <see cref="FileManifest"/> of the uploaded
/// files), its lineage, and for a training checkpoint the run's checkpoint row.
/// </summary>
/// <remarks>
/// Keys: <c>runs/&lt;runId&gt;/checkpoints/step-00000100/&lt;file&gt;</c> and <c>runs/&lt;runId&gt;/models/&lt;name&gt;/&lt;file&gt;</c>;
/// the artifact's URI is that prefix with its trailing '/', so listing it yields exactly the folder's files.
/// Publishing the same checkpoint again overwrites the same keys.
/// </remarks>
public sealed class CheckpointPublisher(IObjectStore objects, ArtifactRegistry registry)
{
    /// <summary>Artifact kind of a training checkpoint (weights, optimizer, trainer state).</summary>
    public const string CheckpointKind = "checkpoint";

    /// <summary>Artifact kind of an exported Hugging Face model directory.</summary>
    public const string ModelKind = "model";

    /// <summary>Relation from a checkpoint to the previous checkpoint of the training it continues.</summary>
    public const string ContinuedFromRelation = "continued-from";

    /// <summary>The key prefix of a run's checkpoint: <c>runs/&lt;runId&gt;/checkpoints/step-00000100/</c>.</summary>
    public static string CheckpointPrefix(Guid runId, long step) => $"runs/{runId:D}/checkpoints/{FolderName(step)}/";

    /// <summary>The key prefix of a run's exported model: <c>runs/&lt;runId&gt;/models/&lt;name&gt;/</c>.</summary>
    public static string ModelPrefix(Guid runId, string name) => $"runs/{runId:D}/models/{name}/";

    /// <summary>
    /// Uploads a complete checkpoint of run <paramref name="runId"/> and registers it. The run's checkpoint with the
    /// highest step below this one, when there is one, becomes a <see cref="ContinuedFromRelation"/> parent.
    /// </summary>
    /// <param name="tokensSeen">Training tokens consumed up to this step (from the trainer's state).</param>
    /// <param name="loss">Training loss at this step, if known; must be finite.</param>
    /// <param name="parents">Further inputs, e.g. the dataset (<c>trained-on</c>) or, for a run resumed from another run's checkpoint, that checkpoint (<c>continued-from</c>).</param>
    /// <param name="tag">Optional label of the checkpoint row: final, annealed, ...</param>
    /// <exception cref="CorruptTrainingCheckpointException">The folder is not complete, or a file differs from its recorded SHA-256 (nothing is registered).</exception>
    /// <exception cref="RunNotFoundException">The run does not exist (nothing is uploaded).</exception>
    /// <exception cref="ArtifactNotFoundException">A parent does not exist.</exception>
    public async Task<PublishedCheckpoint> PublishAsync(Guid runId, CheckpointInfo checkpoint, long tokensSeen, double? loss = null,
        IEnumerable<(Guid ParentId, string Relation)>? parents = null, string? tag = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(tokensSeen);
        if (loss is double l && !double.IsFinite(l)) throw new ArgumentException($"loss {l} is not finite", nameof(loss));
        // Asked first because it also proves the run exists before anything is uploaded.
        var earlier = await registry.CheckpointsAsync(runId, cancellation);

        var markerPath = Path.Combine(checkpoint.Path, CompleteMarkerFileName);
        if (!File.Exists(markerPath))
            throw new CorruptTrainingCheckpointException(markerPath, "marker is missing: the checkpoint was never completed");
        var recorded = FileManifest.Parse(await File.ReadAllTextAsync(markerPath, cancellation), markerPath);

        var prefix = CheckpointPrefix(runId, checkpoint.Step);
        var files = recorded.Entries.Select(e => e.Key).Append(CompleteMarkerFileName).ToList();
        var uploaded = await UploadAsync(checkpoint.Path, prefix, files, cancellation);
        // The store hashed what it received; comparing with the hashes taken at save time catches a file damaged
        // on disk since, before it becomes an artifact others train from.
        foreach (var (name, sha256) in recorded.Entries)
        {
            var stored = uploaded.Single(u => u.Name == name).Info;
            if (stored.Sha256 != sha256)
            {
                await DeleteQuietlyAsync(uploaded.Select(u => u.Info.Key));
                throw new CorruptTrainingCheckpointException(Path.Combine(checkpoint.Path, name),
                    $"SHA-256 is {stored.Sha256} but {CompleteMarkerFileName} recorded {sha256} when it was saved: the file was damaged or changed; not published");
            }
        }

        var lineage = (parents ?? []).ToList();
        var previous = earlier.Where(c => c.Step < checkpoint.Step).MaxBy(c => c.Step);
        if (previous is not null && lineage.All(p => p.ParentId != previous.ArtifactId))
            lineage.Add((previous.ArtifactId, ContinuedFromRelation));

        var metadata = new JsonObject { ["step"] = checkpoint.Step, ["tokens_seen"] = tokensSeen, ["loss"] = loss };
        var artifact = await registry.RegisterAsync(
            new NewArtifact(CheckpointKind, FolderName(checkpoint.Step), prefix, uploaded.Sum(u => u.Info.SizeBytes),
                ManifestOf(uploaded).Sha256(), metadata.ToJsonString(), runId),
            lineage, cancellation);
        var row = await registry.RegisterCheckpointAsync(runId, artifact.Id, checkpoint.Step, tokensSeen, loss, tag, cancellation);
        return new PublishedCheckpoint(artifact, row);
    }

    /// <summary>
    /// Uploads an exported Hugging Face model directory (config, weights, tokenizer, ...) made by run
    /// <paramref name="runId"/> and registers it as a <see cref="ModelKind"/> artifact named <paramref name="name"/>.
    /// </summary>
    /// <param name="name">One key segment, e.g. <c>base</c> or <c>final-averaged</c>.</param>
    /// <param name="parents">What it was made from, e.g. the checkpoints averaged into it.</param>
    /// <param name="metadataJson">Optional JSON stored with the artifact.</param>
    /// <exception cref="CheckpointIndexException">The directory holds no <c>config.json</c> or no weights.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid key segment.</exception>
    public async Task<Artifact> PublishModelAsync(string hfDirectory, Guid runId, string name,
        IEnumerable<(Guid ParentId, string Relation)>? parents = null, string? metadataJson = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hfDirectory);
        ArgumentNullException.ThrowIfNull(name);
        var brokenRule = name.Contains('/') ? "must be one object-key segment (no '/')" : ObjectKey.FindBrokenRule(name);
        if (brokenRule is not null) throw new ArgumentException($"model name '{name}' {brokenRule}", nameof(name));
        var directory = Path.GetFullPath(hfDirectory);
        RequireModelDirectory(directory);
        // Run checked before uploading, for the same reason as in PublishAsync.
        await registry.CheckpointsAsync(runId, cancellation);

        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/'))
            // Dot-files are the temporary files of atomic writes (and editor or OS litter), not part of the model.
            .Where(relative => !relative.Split('/').Any(segment => segment.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .ToList();
        var prefix = ModelPrefix(runId, name);
        var uploaded = await UploadAsync(directory, prefix, files, cancellation);
        return await registry.RegisterAsync(
            new NewArtifact(ModelKind, name, prefix, uploaded.Sum(u => u.Info.SizeBytes), ManifestOf(uploaded).Sha256(), metadataJson, runId),
            parents, cancellation);
    }

    private static void RequireModelDirectory(string directory)
    {
        if (!Directory.Exists(directory)) throw new CheckpointIndexException(directory, null, "model directory does not exist");
        if (!File.Exists(Path.Combine(directory, ConfigFileName)))
            throw new CheckpointIndexException(directory, null, $"holds no {ConfigFileName}: not a Hugging Face model directory");
        if (!File.Exists(Path.Combine(directory, HfCheckpointFiles.SingleFileName)) && !File.Exists(Path.Combine(directory, HfCheckpointFiles.IndexFileName)))
            throw new CheckpointIndexException(directory, null,
                $"holds neither {HfCheckpointFiles.SingleFileName} nor {HfCheckpointFiles.IndexFileName}: not a Hugging Face model directory");
    }

    /// <summary>Uploads <paramref name="relativePaths"/> ('/'-separated) of <paramref name="folder"/> under <paramref name="prefix"/>, one at a time.</summary>
    private async Task<List<(string Name, ObjectInfo Info)>> UploadAsync(string folder, string prefix, IReadOnlyList<string> relativePaths, CancellationToken cancellation)
    {
        var uploaded = new List<(string Name, ObjectInfo Info)>(relativePaths.Count);
        foreach (var relative in relativePaths)
        {
            var path = Path.Combine(folder, relative.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(path)) throw new CorruptTrainingCheckpointException(path, "file is missing from the checkpoint");
            uploaded.Add((relative, await objects.PutFileAsync(prefix + relative, path, cancellation)));
        }
        return uploaded;
    }

    private static FileManifest ManifestOf(IEnumerable<(string Name, ObjectInfo Info)> uploaded) =>
        FileManifest.FromHashes(uploaded.Select(u => KeyValuePair.Create(u.Name, u.Info.Sha256)));

    /// <summary>Removes objects of a publish that is failing anyway; a leftover is unregistered and overwritten by the next publish.</summary>
    private async Task DeleteQuietlyAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            try
            {
                await objects.DeleteAsync(key);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectStoreException)
            {
            }
        }
    }
}
