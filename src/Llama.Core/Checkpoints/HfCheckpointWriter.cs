using TorchSharp;

namespace Llama.Core.Checkpoints;

/// <summary>Saves weights into a Hugging Face model directory, as <c>transformers</c>' <c>save_pretrained</c> lays them out.</summary>
/// <remarks>
/// Everything that fits in <c>maxShardBytes</c> goes to <c>model.safetensors</c>; otherwise tensors are cut, in the
/// given order and never split, into <c>model-00001-of-0000N.safetensors</c> shards plus
/// <c>model.safetensors.index.json</c>. Each file carries the metadata <c>{"format": "pt"}</c> that transformers
/// expects. All files are written under temporary names first and renamed when complete; the index comes last,
/// and weight files of an earlier save in the directory that this save does not overwrite are removed.
/// </remarks>
public static class HfCheckpointWriter
{
    /// <summary>transformers' default <c>max_shard_size="5GB"</c> (decimal gigabytes).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>Saves TorchSharp tensors (any device); returns the names of the weight files written (index excluded).</summary>
    public static IReadOnlyList<string> Write(string directory, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors,
        long maxShardBytes = DefaultMaxShardBytes, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(directory, tensors.Select(pair => TensorPayload.From(pair.Key, pair.Value)).ToList(), maxShardBytes, metadata);

    /// <summary>Saves tensors given as raw bytes with declared dtypes (e.g. FP8 codes); returns the weight file names.</summary>
    public static IReadOnlyList<string> Write(string directory, IEnumerable<SafetensorsEntry> entries,
        long maxShardBytes = DefaultMaxShardBytes, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(directory, entries.Select(TensorPayload.From).ToList(), maxShardBytes, metadata);

    private static IReadOnlyList<string> Write(string directory, IReadOnlyList<TensorPayload> payloads, long maxShardBytes,
        IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        // Checked over all tensors here: each shard's writer only sees its own.
        SafetensorsWriter.InFileOrder(payloads);
        var fileMetadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            fileMetadata[key] = value;
        }

        var fullDirectory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(fullDirectory);
        var shards = HfShardPlan.Split(payloads.Select(p => p.ByteLength).ToList(), maxShardBytes);
        var fileNames = shards.Count == 1
            ? [HfCheckpointFiles.SingleFileName]
            : Enumerable.Range(1, shards.Count).Select(number => HfCheckpointFiles.ShardFileName(number, shards.Count)).ToList();

        var pending = new List<(string Temporary, string Final)>();
        try
        {
            var weightMap = new List<KeyValuePair<string, string>>();
            for (var i = 0; i < shards.Count; i++)
            {
                var shardPayloads = payloads.Take(shards[i]).ToList();
                var finalPath = Path.Combine(fullDirectory, fileNames[i]);
                pending.Add((AtomicFile.WriteTemporary(finalPath, stream => SafetensorsWriter.WriteTo(stream, shardPayloads, fileMetadata)), finalPath));
                weightMap.AddRange(shardPayloads.Select(p => new KeyValuePair<string, string>(p.Name, fileNames[i])));
            }
            if (shards.Count > 1)
            {
                var indexPath = Path.Combine(fullDirectory, HfCheckpointFiles.IndexFileName);
                var index = HfCheckpointIndex.Serialize(payloads.Sum(p => p.ByteLength), weightMap);
                pending.Add((AtomicFile.WriteTemporary(indexPath, stream => stream.Write(index)), indexPath));
            }
        }
        catch
        {
            foreach (var (temporary, _) in pending)
            {
                AtomicFile.DeleteQuietly(temporary);
            }
            throw;
        }

        // Weight files first, then stale files of an earlier save, then the index: a reader never finds an index
        // naming shards that are not complete, and an old model.safetensors (which readers prefer) is gone first.
        foreach (var (temporary, final) in pending)
        {
            if (Path.GetFileName(final) != HfCheckpointFiles.IndexFileName)
            {
                AtomicFile.Commit(temporary, final);
            }
        }
        RemoveStaleWeightFiles(fullDirectory, fileNames);
        foreach (var (temporary, final) in pending)
        {
            if (Path.GetFileName(final) == HfCheckpointFiles.IndexFileName)
            {
                AtomicFile.Commit(temporary, final);
            }
        }
        return fileNames;
    }

    // Removes every weight file not just written, the old index included: a new one (if any) is committed after,
    // and in between no index is better than one naming shards that are gone.
    private static void RemoveStaleWeightFiles(string directory, IReadOnlyList<string> current)
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var fileName = Path.GetFileName(path);
            if (!current.Contains(fileName) && HfCheckpointFiles.IsWeightFileName(fileName))
            {
                File.Delete(path);
            }
        }
    }
}
