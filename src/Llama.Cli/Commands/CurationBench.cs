using System.CommandLine;
using System.Globalization;
using Llama.Curation.Pipeline;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench curation [--input PATH]</c>: the curation pipeline over a corpus (default: the demo corpus in
/// data/corpus), unrecorded, into a temporary folder; prints MB/s and documents/s per stage and for the whole run,
/// and peak memory.
/// </summary>
internal static class CurationBench
{
    public static Command Create()
    {
        var input = new Option<string[]>("--input") { Description = "Corpus files or folders (default: data/corpus)", AllowMultipleArgumentsPerToken = true };
        var config = new Option<string?>("--config") { Description = "Curation config JSON" };
        var threads = new Option<int?>("--parallelism") { Description = "Shards processed at once (default: cores)" };
        var command = new Command("curation", "Throughput of every curation stage and of the whole pipeline") { input, config, threads };
        command.SetAction(async (parse, cancellation) =>
        {
            var inputs = parse.GetValue(input) is { Length: > 0 } given ? given : [Path.Combine(CurationStageFactory.FindDataDirectory(), "corpus")];
            var curationConfig = (parse.GetValue(config) is { } path ? CurationConfig.Load(path) : new CurationConfig())
                with { Parallelism = parse.GetValue(threads) ?? Environment.ProcessorCount };
            string output = Path.Combine(Path.GetTempPath(), "llama-bench-curation-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var outcome = await CurationRunner.RunAsync(new CurationRequest(inputs, output, curationConfig, "bench"), platform: null, cancellation: cancellation);
                Print(outcome.Report, curationConfig.Parallelism!.Value);
            }
            finally
            {
                if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            }
            return 0;
        });
        return command;
    }

    private static void Print(CurationReport r, int parallelism)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"curation of {string.Join(", ", r.Inputs)}: {r.Ingest.BytesIn / 1e6:0.0} MB, {r.Ingest.DocumentsIn:N0} documents, {parallelism} shard(s) at once");
        Console.WriteLine($"{"stage",-20} {"MB in",8} {"docs in",9} {"seconds",8} {"MB/s",8} {"docs/s",10}   (seconds: time inside the stage, summed over threads)");
        foreach (var s in new[] { r.Ingest }.Concat(r.Stages))
            Console.WriteLine(string.Create(inv, $"{s.Stage,-20} {s.BytesIn / 1e6,8:0.00} {s.DocumentsIn,9:N0} {s.Seconds,8:0.00} {s.MegabytesPerSecond,8:0.0} {s.DocumentsPerSecond,10:N0}"));
        Console.WriteLine(string.Create(inv, $"{"whole pipeline",-20} {r.Ingest.BytesIn / 1e6,8:0.00} {r.Ingest.DocumentsIn,9:N0} {r.Seconds,8:0.00} {r.Ingest.BytesIn / 1e6 / r.Seconds,8:0.00} {r.Ingest.DocumentsIn / r.Seconds,10:N0}   (wall clock, tokenizer training and output included)"));
        Console.WriteLine(string.Create(inv, $"peak memory {r.PeakMemoryBytes / 1e6:0} MB; output {r.Output.Documents:N0} documents, {r.Output.Tokens:N0} tokens"));
    }
}
