using System.Diagnostics;
using System.Text.Json;
using Llama.Core.Tokenization;
using Llama.Curation.Documents;
using Llama.Curation.Output;
using Llama.Curation.Stages;

namespace Llama.Curation.Pipeline;

/// <summary>
/// The curation run: ingest into working shards, the stages in order (consecutive per-document stages fused into
/// one pass; each whole-corpus stage a pass of its own), then the tokenizer and the output files. Every step writes
/// its shards atomically with their counts, so a crashed run started again with the same output folder picks up
/// where it stopped; a finished step is not redone.
/// </summary>
public sealed class CurationPipeline(IDocumentSource source, IReadOnlyList<ICurationStage> stages, CurationRunOptions options)
{
    private static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true };
    private string Work => Path.Combine(options.Output, "work");

    public async Task<CurationReport> RunAsync(IReadOnlyList<string> inputs, IProgress<CurationProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var steps = PlanSteps();
        int stepCount = steps.Count + 2; // + ingest + output
        void Report(string step, int index, int done, int total, long documents) =>
            progress?.Report(new CurationProgress(step, index, stepCount, done, total, documents));

        var ingest = Ingest(cancellation, (done, documents) => Report("ingest", 0, done, 0, documents));
        string folder = Path.Combine(Work, "00-ingest");
        var stageReports = new List<StageReport>();
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            string next = Path.Combine(Work, $"{i + 1:00}-{step.Name}");
            Action<int, int, long> shardProgress = (done, total, documents) => Report(step.Name, i + 1, done, total, documents);
            if (step.Corpus is { } corpusStage)
                stageReports.Add(ShardedSteps.RunCorpusStage(folder, next, corpusStage, options.Parallelism, shardProgress, cancellation));
            else
                stageReports.AddRange(ShardedSteps.RunDocumentStages(folder, next, step.Documents!, options.Parallelism, shardProgress, cancellation));
            folder = next;
        }

        Report("tokenize", stepCount - 1, 0, 1, 0);
        var output = await CuratedOutput.WriteAsync(folder, options, cancellation);
        var report = new CurationReport
        {
            StartedAt = started, Seconds = clock.Elapsed.TotalSeconds, Inputs = inputs, Ingest = ingest, Stages = stageReports,
            Summaries = stages.OfType<IStageSummary>().ToDictionary(s => ((ICurationStage)s).Name, s => s.Summary),
            Output = output, PeakMemoryBytes = Process.GetCurrentProcess().PeakWorkingSet64,
        };
        File.WriteAllText(Path.Combine(options.Output, "report.json"), JsonSerializer.Serialize(report, ReportJson));
        File.WriteAllText(Path.Combine(options.Output, "report.md"), CurationReportMarkdown.Render(report));
        if (!options.KeepWork) Directory.Delete(Work, recursive: true);
        Report("done", stepCount - 1, 1, 1, output.Documents);
        return report;
    }

    private sealed record Step(string Name, ICorpusStage? Corpus, IReadOnlyList<IDocumentStage>? Documents);

    private List<Step> PlanSteps()
    {
        var steps = new List<Step>();
        var pending = new List<IDocumentStage>();
        void Flush()
        {
            if (pending.Count == 0) return;
            steps.Add(new Step(string.Join("+", pending.Select(s => s.Name)), null, pending.ToList()));
            pending.Clear();
        }
        foreach (var stage in stages)
        {
            switch (stage)
            {
                case ICorpusStage corpus: Flush(); steps.Add(new Step(corpus.Name, corpus, null)); break;
                case IDocumentStage document: pending.Add(document); break;
                default: throw new ArgumentException($"stage '{stage.Name}' is neither a per-document nor a whole-corpus stage");
            }
        }
        Flush();
        return steps;
    }

    /// <summary>Reads every input into working shards of <see cref="CurationRunOptions.DocumentsPerShard"/> documents.</summary>
    private StageReport Ingest(CancellationToken cancellation, Action<int, long> progress)
    {
        string folder = Path.Combine(Work, "00-ingest");
        string done = Path.Combine(folder, "_ingest.json");
        if (File.Exists(done)) return JsonSerializer.Deserialize<StageReport>(File.ReadAllText(done))!;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); // a partial ingest is redone: reading is sequential anyway
        Directory.CreateDirectory(folder);

        var counters = new StageCounters("ingest");
        var clock = Stopwatch.StartNew();
        var batch = new List<CurationDocument>(options.DocumentsPerShard);
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        int shard = 0;
        long documents = 0;
        void Flush()
        {
            if (batch.Count == 0) return;
            DocumentShardFile.Write(Path.Combine(folder, $"shard-{shard++:00000}.jsonl"), batch);
            batch.Clear();
            progress(shard, documents);
        }
        foreach (var document in source.Read(skip => counters.RecordSkip(skip.Reason, skip.Source, skip.Path, skip.Detail), cancellation))
        {
            cancellation.ThrowIfCancellationRequested();
            if (!seenIds.Add(document.Id))
            {
                // Ids key resumption, dedup tie-breaks and lineage: two inputs naming the same document are a configuration error worth seeing.
                counters.RecordSkip("ingest.duplicate_id", document.Source, document.Id, "another input already produced this id");
                continue;
            }
            counters.RecordPassThrough(document);
            documents++;
            batch.Add(document);
            if (batch.Count == options.DocumentsPerShard) Flush();
        }
        Flush();
        counters.AddElapsed(clock.ElapsedTicks);
        var report = counters.ToReport();
        File.WriteAllText(done, JsonSerializer.Serialize(report));
        return report;
    }
}
