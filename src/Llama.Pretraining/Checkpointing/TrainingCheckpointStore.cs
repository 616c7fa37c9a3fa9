using System.Text.Json;
using System.Text.Json.Nodes;
using Llama.Core.Checkpoints;
using Llama.Core.Config;
using static Llama.Pretraining.Checkpointing.TrainingCheckpointFiles;
using static TorchSharp.torch;

namespace Llama.Pretraining.Checkpointing;

/// <summary>
/// The training checkpoints of one run, one folder per step under <see cref="Root"/> (layout in
/// <see cref="TrainingCheckpointFiles"/>). A save is atomic as a whole: it is written into a
/// <c>.partial-</c> folder, flushed, marked <c>COMPLETE</c> and renamed, so a crash or an exception part-way
/// leaves every earlier checkpoint as it was and nothing that looks complete.
/// </summary>
/// <remarks>
/// One process (rank 0) saves and prunes a root; <see cref="Prune"/> treats every unfinished folder it finds as
/// stale, so it must not run while a save into the same root is in progress.
/// </remarks>
public sealed class TrainingCheckpointStore
{
    // transformers refuses a safetensors file whose metadata lacks a known "format".
    private static readonly Dictionary<string, string> TensorFileMetadata = new(StringComparer.Ordinal) { ["format"] = "pt" };

    /// <summary>Uses <paramref name="root"/> (created on the first save) as the run's checkpoint folder.</summary>
    public TrainingCheckpointStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>Full path of the folder holding the step folders.</summary>
    public string Root { get; }

    /// <summary>
    /// Saves the checkpoint of <paramref name="step"/>, replacing one already saved for that step (a run resumed
    /// from an earlier checkpoint reaches the same step again).
    /// </summary>
    /// <param name="model">Weights under Hugging Face names (e.g. <c>model.named_parameters()</c>); any device.</param>
    /// <param name="optimizer">Optimizer buffers under names the trainer chooses (<c>exp_avg.&lt;param&gt;</c>, ...).</param>
    /// <param name="trainerStateJson">A JSON object, stored and returned verbatim.</param>
    /// <param name="config">The model's config, written as <c>config.json</c>.</param>
    /// <exception cref="ArgumentException">The state is not a JSON object, or a tensor name is duplicated or reserved.</exception>
    /// <exception cref="LlamaConfigException">The config is invalid.</exception>
    public CheckpointInfo Save(long step, IEnumerable<KeyValuePair<string, Tensor>> model, IEnumerable<KeyValuePair<string, Tensor>> optimizer,
        string trainerStateJson, LlamaConfig config)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(config);
        RequireJsonObject(trainerStateJson);
        // Checked before any tensor is written: a bad config found after gigabytes of weights wastes the save.
        config.Validate("config");

        Directory.CreateDirectory(Root);
        var partial = Path.Combine(Root, PartialFolderName(step));
        Directory.CreateDirectory(partial);
        try
        {
            // Each writer flushes its file to disk before returning (AtomicFile).
            SafetensorsWriter.Write(Path.Combine(partial, ModelFileName), model, TensorFileMetadata);
            SafetensorsWriter.Write(Path.Combine(partial, OptimizerFileName), optimizer, TensorFileMetadata);
            DurableFileSystem.WriteText(Path.Combine(partial, TrainerStateFileName), trainerStateJson);
            config.Save(partial);
            DurableFileSystem.FlushFile(Path.Combine(partial, ConfigFileName));
            // The marker is written last and holds every file's hash, so a load can tell a whole checkpoint
            // from one cut short or damaged later.
            DurableFileSystem.WriteText(Path.Combine(partial, CompleteMarkerFileName), FileManifest.FromFiles(partial, DataFileNames).ToText());
            DurableFileSystem.FlushDirectory(partial);
            var final = Path.Combine(Root, FolderName(step));
            Publish(partial, final);
            return Describe(final, step);
        }
        catch
        {
            DeleteFolderQuietly(partial);
            throw;
        }
    }

    /// <summary>Saves with the trainer state given as a JSON object (stored as its compact JSON text).</summary>
    public CheckpointInfo Save(long step, IEnumerable<KeyValuePair<string, Tensor>> model, IEnumerable<KeyValuePair<string, Tensor>> optimizer,
        JsonObject trainerState, LlamaConfig config)
    {
        ArgumentNullException.ThrowIfNull(trainerState);
        return Save(step, model, optimizer, trainerState.ToJsonString(), config);
    }

    /// <summary>The complete checkpoints, by ascending step. Unfinished and unmarked folders are left out.</summary>
    public IReadOnlyList<CheckpointInfo> List()
    {
        if (!Directory.Exists(Root)) return [];
        var complete = new List<CheckpointInfo>();
        foreach (var folder in Directory.EnumerateDirectories(Root, FolderPrefix + "*"))
        {
            if (TryParseFolderName(Path.GetFileName(folder), out var step) && IsMarkedComplete(folder))
                complete.Add(Describe(folder, step));
        }
        complete.Sort((a, b) => a.Step.CompareTo(b.Step));
        return complete;
    }

    /// <summary>The complete checkpoint with the highest step, or null when there is none.</summary>
    public CheckpointInfo? Latest() => List().LastOrDefault();

    /// <summary>Opens the complete checkpoint of <paramref name="step"/>.</summary>
    /// <param name="verifyChecksums">Re-hash every file against the manifest in <c>COMPLETE</c> (one read of the checkpoint).</param>
    /// <exception cref="TrainingCheckpointNotFoundException">No complete checkpoint has that step.</exception>
    /// <exception cref="CorruptTrainingCheckpointException">A file is missing, damaged or unparseable (named in the message).</exception>
    /// <exception cref="SafetensorsFormatException">A tensor file is malformed.</exception>
    public LoadedCheckpoint Load(long step, bool verifyChecksums = true)
    {
        var complete = List();
        var found = complete.FirstOrDefault(c => c.Step == step)
                    ?? throw new TrainingCheckpointNotFoundException(Root, step, complete.Select(c => c.Step).ToList());
        return Load(found, verifyChecksums);
    }

    /// <summary>Opens the latest complete checkpoint, or returns null when there is none (a fresh run).</summary>
    public LoadedCheckpoint? LoadLatest(bool verifyChecksums = true) => Latest() is { } latest ? Load(latest, verifyChecksums) : null;

    /// <summary>Opens the checkpoint in <paramref name="checkpoint"/>'s folder.</summary>
    /// <inheritdoc cref="Load(long, bool)"/>
    public LoadedCheckpoint Load(CheckpointInfo checkpoint, bool verifyChecksums = true)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var folder = checkpoint.Path;
        CheckAgainstManifest(folder, verifyChecksums);
        var config = ReadConfig(Path.Combine(folder, ConfigFileName));
        var trainerState = ReadTrainerState(Path.Combine(folder, TrainerStateFileName));
        var model = SafetensorsReader.Open(Path.Combine(folder, ModelFileName));
        try
        {
            var optimizer = SafetensorsReader.Open(Path.Combine(folder, OptimizerFileName));
            return new LoadedCheckpoint(checkpoint, config, trainerState, model, optimizer);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Deletes complete checkpoints except the newest <paramref name="keepLast"/> and those of
    /// <paramref name="keepSteps"/> (e.g. the annealing checkpoints kept for averaging), and every unfinished
    /// folder left by an interrupted save. Returns the folders deleted.
    /// </summary>
    public IReadOnlyList<string> Prune(int keepLast, IEnumerable<long>? keepSteps = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepLast);
        if (!Directory.Exists(Root)) return [];
        var kept = new HashSet<long>(keepSteps ?? []);
        var deleted = new List<string>();
        foreach (var stale in StaleFolders())
        {
            Directory.Delete(stale, recursive: true);
            deleted.Add(stale);
        }
        var complete = List();
        foreach (var old in complete.Take(Math.Max(0, complete.Count - keepLast)).Where(c => !kept.Contains(c.Step)))
        {
            // Renamed away first: a crash during the recursive delete then leaves a stale folder, never a
            // step folder whose COMPLETE marker outlives some of its files.
            var discarded = Path.Combine(Root, DiscardedFolderName(Path.GetFileName(old.Path)));
            Directory.Move(old.Path, discarded);
            DurableFileSystem.FlushDirectory(Root);
            Directory.Delete(discarded, recursive: true);
            deleted.Add(old.Path);
        }
        return deleted;
    }

    /// <summary>Folders under the root named like checkpoints that are not complete ones: left by interrupted saves, replacements or deletions.</summary>
    private IEnumerable<string> StaleFolders() =>
        Directory.EnumerateDirectories(Root, FolderPrefix + "*")
            .Where(folder => !TryParseFolderName(Path.GetFileName(folder), out _) || !IsMarkedComplete(folder))
            .ToList();

    /// <summary>Renames the finished folder into place, moving aside (then deleting) a checkpoint of the same step.</summary>
    private void Publish(string partial, string final)
    {
        string? displaced = null;
        if (Directory.Exists(final))
        {
            // A rename cannot replace a non-empty folder, so the old one steps aside first; a crash between the
            // two renames leaves no folder for this step, and the earlier steps still load.
            displaced = Path.Combine(Root, DiscardedFolderName(Path.GetFileName(final)));
            Directory.Move(final, displaced);
        }
        try
        {
            Directory.Move(partial, final);
        }
        catch when (displaced is not null)
        {
            Directory.Move(displaced, final);
            throw;
        }
        DurableFileSystem.FlushDirectory(Root);
        if (displaced is not null) DeleteFolderQuietly(displaced);
    }

    /// <summary>Checks the marker, that every file it lists is present, and (when asked) each file's SHA-256.</summary>
    private static void CheckAgainstManifest(string folder, bool verifyChecksums)
    {
        var markerPath = Path.Combine(folder, CompleteMarkerFileName);
        if (!File.Exists(markerPath))
            throw new CorruptTrainingCheckpointException(markerPath, "marker is missing: the checkpoint was never completed");
        var manifest = FileManifest.Parse(File.ReadAllText(markerPath), markerPath);
        var listed = manifest.Entries.Select(e => e.Key).ToList();
        if (!listed.SequenceEqual(DataFileNames))
            throw new CorruptTrainingCheckpointException(markerPath,
                $"manifest lists [{string.Join(", ", listed)}] but a checkpoint holds [{string.Join(", ", DataFileNames)}]");
        foreach (var (name, recordedSha256) in manifest.Entries)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) throw new CorruptTrainingCheckpointException(path, "file is missing from the checkpoint");
            if (!verifyChecksums) continue;
            var actualSha256 = FileManifest.HashFile(path);
            if (actualSha256 != recordedSha256)
                throw new CorruptTrainingCheckpointException(path,
                    $"SHA-256 is {actualSha256} but {CompleteMarkerFileName} recorded {recordedSha256} when it was saved: the file was damaged or changed");
        }
    }

    private static LlamaConfig ReadConfig(string path)
    {
        try
        {
            return LlamaConfig.Load(path);
        }
        catch (Exception e) when (e is LlamaConfigException or JsonException)
        {
            throw new CorruptTrainingCheckpointException(path, $"does not hold a valid model config: {e.Message}", e);
        }
    }

    private static string ReadTrainerState(string path)
    {
        var json = File.ReadAllText(path);
        try
        {
            RequireJsonObject(json);
        }
        catch (ArgumentException e)
        {
            throw new CorruptTrainingCheckpointException(path, e.Message, e);
        }
        return json;
    }

    private static void RequireJsonObject(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"trainer state must be a JSON object, not {document.RootElement.ValueKind}", nameof(json));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"trainer state is not valid JSON: {e.Message}", nameof(json), e);
        }
    }

    private static bool IsMarkedComplete(string folder) => File.Exists(Path.Combine(folder, CompleteMarkerFileName));

    private static CheckpointInfo Describe(string folder, long step) =>
        new(folder, step, new DirectoryInfo(folder).EnumerateFiles().Sum(f => f.Length));

    /// <summary>Deletes a folder while another error is already on its way out; a leftover is stale and pruned later.</summary>
    private static void DeleteFolderQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
