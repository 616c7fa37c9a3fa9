using System.Diagnostics;
using System.Text.Json;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Pipeline;

/// <summary>
/// Runs stages over a folder of shard files into another folder, shards in parallel. A shard's output and its
/// per-stage counts are written together (data first, counts last, both atomically): a shard whose counts file
/// exists is finished and is not redone after a crash.
/// </summary>
public static class ShardedSteps
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static IReadOnlyList<string> Shards(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "shard-*.jsonl").Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Per-document stages fused into one pass over each shard.</summary>
    public static IReadOnlyList<StageReport> RunDocumentStages(
        string input, string output, IReadOnlyList<IDocumentStage> stages, int parallelism,
        Action<int, int, long>? progress, CancellationToken cancellation)
    {
        var shards = Shards(input);
        Directory.CreateDirectory(output);
        int done = 0;
        long documents = 0;
        Parallel.ForEach(shards, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellation }, shard =>
        {
            string target = Path.Combine(output, Path.GetFileName(shard));
            if (!IsFinished(target))
            {
                var counters = stages.Select(s => new StageCounters(s.Name)).ToArray();
                var kept = new List<CurationDocument>();
                foreach (var document in DocumentShardFile.Read(shard))
                {
                    cancellation.ThrowIfCancellationRequested();
                    Interlocked.Increment(ref documents);
                    if (Apply(stages, counters, document) is { } survivor) kept.Add(survivor);
                }
                Finish(target, kept, counters);
            }
            progress?.Invoke(Interlocked.Increment(ref done), shards.Count, Interlocked.Read(ref documents));
        });
        return MergeReports(output, shards, stages.Select(s => s.Name).ToList());
    }

    /// <summary>A whole-corpus stage: observe every shard, seal, then decide shard by shard.</summary>
    public static StageReport RunCorpusStage(
        string input, string output, ICorpusStage stage, int parallelism,
        Action<int, int, long>? progress, CancellationToken cancellation)
    {
        var shards = Shards(input);
        Directory.CreateDirectory(output);
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellation };
        // Pass 1 always runs in full: the stage's state (hashes, signatures) is not saved, and it is cheap next to pass 2's IO.
        long observeTicks = 0;
        Parallel.ForEach(shards, options, shard =>
        {
            var clock = Stopwatch.StartNew();
            foreach (var document in DocumentShardFile.Read(shard)) stage.Observe(document);
            Interlocked.Add(ref observeTicks, clock.ElapsedTicks);
        });
        var sealClock = Stopwatch.StartNew();
        stage.Seal();
        long sharedTicks = observeTicks + sealClock.ElapsedTicks;

        int done = 0;
        long documents = 0;
        Parallel.ForEach(shards, options, shard =>
        {
            string target = Path.Combine(output, Path.GetFileName(shard));
            if (!IsFinished(target))
            {
                var counters = new StageCounters(stage.Name);
                var kept = new List<CurationDocument>();
                foreach (var document in DocumentShardFile.Read(shard))
                {
                    cancellation.ThrowIfCancellationRequested();
                    Interlocked.Increment(ref documents);
                    var clock = Stopwatch.StartNew();
                    var verdict = stage.Process(document);
                    counters.Record(document, verdict, clock.ElapsedTicks);
                    if (verdict is StageVerdict.Keep keep) kept.Add(keep.Document);
                }
                Finish(target, kept, [counters]);
            }
            progress?.Invoke(Interlocked.Increment(ref done), shards.Count, Interlocked.Read(ref documents));
        });
        var report = MergeReports(output, shards, [stage.Name])[0];
        // The first pass and the seal belong to this stage's time too.
        return report with { Seconds = report.Seconds + sharedTicks / (double)Stopwatch.Frequency };
    }

    private static CurationDocument? Apply(IReadOnlyList<IDocumentStage> stages, StageCounters[] counters, CurationDocument document)
    {
        for (int i = 0; i < stages.Count; i++)
        {
            var clock = Stopwatch.StartNew();
            var verdict = stages[i].Process(document);
            counters[i].Record(document, verdict, clock.ElapsedTicks);
            if (verdict is not StageVerdict.Keep keep) return null;
            document = keep.Document;
        }
        return document;
    }

    private static string CountsPath(string shardOutput) => Path.ChangeExtension(shardOutput, ".counts.json");

    private static bool IsFinished(string shardOutput) => File.Exists(CountsPath(shardOutput)) && File.Exists(shardOutput);

    private static void Finish(string target, List<CurationDocument> kept, IEnumerable<StageCounters> counters)
    {
        DocumentShardFile.Write(target, kept);
        string counts = CountsPath(target);
        File.WriteAllText(counts + ".tmp", JsonSerializer.Serialize(counters.Select(c => c.ToReport()).ToList(), Json));
        File.Move(counts + ".tmp", counts, overwrite: true);
    }

    private static IReadOnlyList<StageReport> MergeReports(string output, IReadOnlyList<string> shards, IReadOnlyList<string> stageNames)
    {
        var perShard = shards
            .Select(s => JsonSerializer.Deserialize<List<StageReport>>(File.ReadAllText(CountsPath(Path.Combine(output, Path.GetFileName(s)))), Json)!)
            .ToList();
        return stageNames.Select((name, i) => StageReportMerge.Merge(name, perShard.Select(r => r[i]))).ToList();
    }
}
