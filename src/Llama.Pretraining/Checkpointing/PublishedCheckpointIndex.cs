using System.Text.Json;

namespace Llama.Pretraining.Checkpointing;

/// <summary>
/// Which artifact each local checkpoint became when it was published: <c>published-artifacts.json</c> beside the
/// <c>step-*</c> folders. A run resumed in a new process (a new Run on the record) reads it to link its final model
/// to annealing checkpoints that the interrupted run published, and its first checkpoint to the last one before it.
/// </summary>
internal sealed class PublishedCheckpointIndex
{
    public const string FileName = "published-artifacts.json";

    private readonly string _path;
    private readonly SortedDictionary<long, Guid> _artifacts;

    private PublishedCheckpointIndex(string path, SortedDictionary<long, Guid> artifacts)
    {
        _path = path;
        _artifacts = artifacts;
    }

    /// <summary>The published checkpoints by step, ascending.</summary>
    public IReadOnlyDictionary<long, Guid> Artifacts => _artifacts;

    /// <summary>Reads the index of <paramref name="checkpointsRoot"/>; empty when nothing was published there yet.</summary>
    /// <exception cref="CorruptTrainingCheckpointException">The file exists but is not a step → artifact id map.</exception>
    public static PublishedCheckpointIndex Load(string checkpointsRoot)
    {
        var path = Path.Combine(checkpointsRoot, FileName);
        if (!File.Exists(path)) return new PublishedCheckpointIndex(path, []);
        try
        {
            var read = JsonSerializer.Deserialize<Dictionary<long, Guid>>(File.ReadAllText(path))
                ?? throw new JsonException("null instead of an object");
            return new PublishedCheckpointIndex(path, new SortedDictionary<long, Guid>(read));
        }
        catch (JsonException e)
        {
            throw new CorruptTrainingCheckpointException(path, $"is not a map of step to artifact id ({e.Message}); delete it to publish the checkpoints again");
        }
    }

    /// <summary>Records (and durably writes) that the checkpoint of <paramref name="step"/> is artifact <paramref name="artifactId"/>.</summary>
    public void Record(long step, Guid artifactId)
    {
        _artifacts[step] = artifactId;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        // Write then rename, so a crash leaves the old index or the new one, never half of one.
        var temporary = _path + ".tmp";
        File.Delete(temporary);
        DurableFileSystem.WriteText(temporary, JsonSerializer.Serialize(_artifacts));
        File.Move(temporary, _path, overwrite: true);
        DurableFileSystem.FlushDirectory(Path.GetDirectoryName(_path)!);
    }

    /// <summary>Forgets entries whose artifact the current metadata store does not hold (e.g. a run recorded elsewhere).</summary>
    public async Task KeepOnlyAsync(Func<Guid, Task<bool>> exists)
    {
        foreach (var (step, id) in _artifacts.ToArray())
            if (!await exists(id)) _artifacts.Remove(step);
    }
}
