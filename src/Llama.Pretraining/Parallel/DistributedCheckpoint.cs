using System.Globalization;
using System.Text.Json;
using Llama.Core.Checkpoints;
using Llama.Pretraining.Checkpointing;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// Checkpoints of a parallel run: every rank writes its own shard (<c>rank-NNNNN.safetensors</c>: its parameter
/// shards and their AdamW moments, with the layout that cut them in the file's metadata); rank 0 adds the trainer
/// state; a <c>COMPLETE</c> marker, written after all ranks finished, makes the step valid. Loading assembles full
/// tensors from whatever layout wrote them, so a run resumes on another mesh (or on one process): each new rank
/// then cuts its own part. Every rank reads every shard file, which is fine at this scale; at a large one each
/// rank would read only the byte ranges that overlap its part.
/// </summary>
public static class DistributedCheckpoint
{
    private const string CompleteMarker = "COMPLETE";
    private const string StateFile = "trainer-state.json";
    private const string LayoutKey = "llama.parallel.layout";

    public static string StepFolder(string root, long step) => Path.Combine(root, $"step-{step:D8}");

    /// <summary>The newest complete step under <paramref name="root"/>, or null.</summary>
    public static long? Latest(string root) => !Directory.Exists(root) ? null : Directory.GetDirectories(root, "step-*")
        .Where(d => File.Exists(Path.Combine(d, CompleteMarker)))
        .Select(d => long.Parse(Path.GetFileName(d)["step-".Length..], CultureInfo.InvariantCulture))
        .OrderDescending().Cast<long?>().FirstOrDefault();

    /// <summary>Collective: writes this rank's shard of parameters and optimizer moments; rank 0 writes the state and, after a barrier, the marker.</summary>
    public static void Save(string root, long step, ParallelLlama parallel, IEnumerable<KeyValuePair<string, Tensor>> optimizerState, string trainerStateJson)
    {
        var mesh = parallel.Mesh;
        string folder = StepFolder(root, step);
        if (mesh.World.Rank == 0) Directory.CreateDirectory(folder);
        mesh.World.Barrier();
        // A replicated copy is written once: by the first rank of the DP x CP group.
        if (parallel.Data.HoldsUniqueCopy)
        {
            var layout = new ShardLayout(mesh.TpRank, mesh.Tp.Size, mesh.DpCp.Rank, mesh.DpCp.Size, parallel.Data.Sharded,
                parallel.Parameters.ToDictionary(p => p.Name, p => p.Param.shape));
            var tensors = parallel.Data.OptimizedParameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Param.detach())).Concat(optimizerState);
            string file = Path.Combine(folder, $"rank-{mesh.World.Rank:D5}.safetensors");
            SafetensorsWriter.Write(file, tensors, new Dictionary<string, string> { [LayoutKey] = JsonSerializer.Serialize(layout) });
            DurableFileSystem.FlushFile(file);
        }
        if (mesh.World.Rank == 0) DurableFileSystem.WriteText(Path.Combine(folder, StateFile), trainerStateJson);
        mesh.World.Barrier();
        if (mesh.World.Rank == 0)
        {
            DurableFileSystem.WriteText(Path.Combine(folder, CompleteMarker), "");
            DurableFileSystem.FlushDirectory(folder);
        }
        mesh.World.Barrier();
    }

    public static string ReadTrainerState(string root, long step) => File.ReadAllText(Path.Combine(StepFolder(root, step), StateFile));

    /// <summary>
    /// Full tensors of a saved step, keyed as written: parameter names and <c>exp_avg.NAME</c> / <c>exp_avg_sq.NAME</c>,
    /// whatever mesh wrote them.
    /// </summary>
    public static Dictionary<string, Tensor> LoadFull(string root, long step)
    {
        var parts = new Dictionary<string, SortedDictionary<int, List<(int DpCpRank, Tensor Flat)>>>();
        var layouts = new Dictionary<string, (long[] LocalShape, bool Sharded)>();
        foreach (var file in Directory.GetFiles(StepFolder(root, step), "rank-*.safetensors"))
        {
            using var reader = SafetensorsReader.Open(file);
            var layout = JsonSerializer.Deserialize<ShardLayout>(reader.Metadata[LayoutKey])!;
            foreach (var key in reader.Names)
            {
                string name = key.StartsWith("exp_avg_sq.") ? key["exp_avg_sq.".Length..] : key.StartsWith("exp_avg.") ? key["exp_avg.".Length..] : key;
                layouts[key] = (layout.LocalShapes[name], layout.Sharded);
                if (!parts.TryGetValue(key, out var byTp)) parts[key] = byTp = new();
                if (!byTp.TryGetValue(layout.TpRank, out var shards)) byTp[layout.TpRank] = shards = [];
                shards.Add((layout.DpCpRank, reader.ReadTensor(key).flatten()));
            }
        }
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, byTp) in parts)
        {
            var (localShape, sharded) = layouts[key];
            long numel = localShape.Aggregate(1L, (a, b) => a * b);
            var locals = byTp.Values.Select(shards =>
            {
                using var flat = cat(shards.OrderBy(s => s.DpCpRank).Select(s => s.Flat).Take(sharded ? int.MaxValue : 1).ToArray());
                return flat.narrow(0, 0, numel).reshape(localShape).clone();
            }).ToList();
            string name = key.StartsWith("exp_avg") ? key[(key.IndexOf('.') + 1)..] : key;
            if (TensorParallel.ShardDimension(name) is { } dim && locals.Count > 1)
            {
                result[key] = cat(locals.ToArray(), dim);
                locals.ForEach(t => t.Dispose());
            }
            else
            {
                result[key] = locals[0]; // replicated over TP: every TP rank wrote the same values
                locals.Skip(1).ToList().ForEach(t => t.Dispose());
            }
            foreach (var shards in byTp.Values) shards.ForEach(s => s.Flat.Dispose());
        }
        return result;
    }

    private sealed record ShardLayout(int TpRank, int TpSize, int DpCpRank, int DpCpSize, bool Sharded, Dictionary<string, long[]> LocalShapes);
}
