using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Llama.Core.Config;
using Llama.Core.Devices;
using Llama.Core.Model;
using Llama.Evaluation.Requests;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench evaluation [--preset tiny] [--requests 256] [--batch 16]</c>: log-likelihood scoring throughput of
/// a preset with random weights, one request per forward pass against batched passes, and the largest difference
/// between the two (padding must not change a score).
/// </summary>
internal static class EvaluationBench
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Model preset", DefaultValueFactory = _ => "tiny" };
        var requests = new Option<int>("--requests") { Description = "Requests scored (contexts of 16-64 tokens, continuations of 1-8)", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch") { Description = "Requests per forward pass in the batched run", DefaultValueFactory = _ => 16 };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("evaluation", "Log-likelihood scoring throughput: batched against one request per pass") { preset, requests, batch, device, threads };
        command.SetAction(parse =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            int count = parse.GetValue(requests), batchSize = parse.GetValue(batch);
            if (count < 1 || batchSize < 1) throw new ArgumentException("--requests and --batch must be positive");
            var config = LlamaPresets.Get(parse.GetValue(preset)!);
            using var model = new LlamaModel(config, DeviceSpec.Parse(parse.GetValue(device)!));
            model.InitializeWeights(1);
            var random = new Random(1);
            var work = Enumerable.Range(0, count).Select(_ => new LoglikelihoodRequest(
                Enumerable.Range(0, random.Next(16, 65)).Select(_ => random.Next(config.VocabSize)).ToArray(),
                Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(config.VocabSize)).ToArray())).ToList();
            long tokens = work.Sum(r => r.Context.Count + r.Continuation.Count - 1);
            var (single, singleSeconds) = Time(() => new LoglikelihoodScorer(model, 2048, 1).Score(work));
            var (batched, batchedSeconds) = Time(() => new LoglikelihoodScorer(model, 2048, batchSize).Score(work));
            double maxDifference = single.Zip(batched).Max(p => Math.Abs(p.First.LogLikelihood - p.Second.LogLikelihood));
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"{parse.GetValue(preset)}: {count} requests, {tokens:N0} input tokens"));
            Console.WriteLine(string.Create(inv, $"batch 1:  {count / singleSeconds:N1} requests/s, {tokens / singleSeconds:N0} tokens/s"));
            Console.WriteLine(string.Create(inv, $"batch {batchSize}: {count / batchedSeconds:N1} requests/s, {tokens / batchedSeconds:N0} tokens/s ({singleSeconds / batchedSeconds:0.00}x)"));
            Console.WriteLine(string.Create(inv, $"largest score difference between the two: {maxDifference:0.0e0} nats"));
            return 0;
        });
        return command;
    }

    private static (LoglikelihoodResult[] Results, double Seconds) Time(Func<LoglikelihoodResult[]> run)
    {
        var watch = Stopwatch.StartNew();
        var results = run();
        return (results, watch.Elapsed.TotalSeconds);
    }
}
