using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llama.Serving.Engine;
using Llama.Serving.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench serving --model DIR</c>: a bounded load test of the OpenAI server on loopback. For each
/// concurrency, that many clients stream chat completions (greedy, <c>ignore_eos</c> so every request makes
/// exactly <c>--max-tokens</c> tokens) and the client side measures time to first token, time per output token,
/// request latency and aggregate generated tokens/s. Prints percentiles and the throughput ratio to one stream.
/// </summary>
internal static class ServingBench
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A Hugging Face Llama directory", Required = true };
        var concurrency = new Option<int[]>("--concurrency") { Description = "Concurrent streams to measure (repeatable)", DefaultValueFactory = _ => [1, 4, 16, 64], AllowMultipleArgumentsPerToken = true };
        var requests = new Option<int>("--requests-per-stream") { Description = "Requests each stream sends one after another", DefaultValueFactory = _ => 2 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens generated per request", DefaultValueFactory = _ => 64 };
        var threads = CommonOptions.Threads();
        var command = new Command("serving", "Throughput and latency of the OpenAI server under 1..N concurrent streams") { model, concurrency, requests, maxTokens, threads };
        command.SetAction(async (parse, cancellation) =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            int perStream = parse.GetValue(requests), tokens = parse.GetValue(maxTokens);
            var levels = parse.GetValue(concurrency) ?? [];
            if (perStream <= 0 || tokens <= 0 || levels.Length == 0 || levels.Any(c => c <= 0))
                throw new ArgumentException("--requests-per-stream, --max-tokens and every --concurrency must be positive");
            await RunAsync(parse.GetValue(model)!, levels, perStream, tokens, cancellation);
            return 0;
        });
        return command;
    }

    private sealed record RequestTiming(double FirstTokenSeconds, double TotalSeconds, int Tokens, List<double> Gaps);

    private static async Task RunAsync(string directory, int[] levels, int perStream, int maxTokens, CancellationToken cancellation)
    {
        var options = new ServingOptions { Engine = new EngineOptions { MaxRunningSequences = Math.Max(64, levels.Max()) } };
        using var served = ServedModel.Load(directory, "bench", options);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddLlamaServing(options, served);
        await using var app = builder.Build();
        app.MapServingApi();
        await app.StartAsync(cancellation);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"model {directory}: {served.Engine.Model.DType}, {TorchSharp.torch.get_num_threads()} threads; {maxTokens} tokens per request, {perStream} requests per stream");

        await OneLevelAsync(http, 1, 1, Math.Min(8, maxTokens), cancellation); // warm-up: first calls pay for allocation
        double? single = null;
        Console.WriteLine("streams  requests  tokens/s   TTFT p50/p90/p99 (ms)      TPOT p50/p90/p99 (ms)   latency p50/p99 (s)");
        foreach (int streams in levels)
        {
            var sw = Stopwatch.StartNew();
            var timings = await OneLevelAsync(http, streams, perStream, maxTokens, cancellation);
            double seconds = sw.Elapsed.TotalSeconds;
            double rate = timings.Sum(t => t.Tokens) / seconds;
            single ??= streams == 1 ? rate : null;
            var ttft = timings.Select(t => t.FirstTokenSeconds * 1000).ToArray();
            var tpot = timings.SelectMany(t => t.Gaps).Select(g => g * 1000).ToArray();
            var latency = timings.Select(t => t.TotalSeconds).ToArray();
            string ratio = single is { } one && streams != 1 ? string.Create(inv, $"   ({rate / one:0.00}x one stream)") : "";
            Console.WriteLine(string.Create(inv,
                $"{streams,7}  {timings.Count,8}  {rate,8:N1}   {P(ttft, 50),6:N1} {P(ttft, 90),6:N1} {P(ttft, 99),6:N1}      {P(tpot, 50),6:N1} {P(tpot, 90),6:N1} {P(tpot, 99),6:N1}   {P(latency, 50),6:N2} {P(latency, 99),6:N2}{ratio}"));
        }
        var stats = served.Engine.Stats;
        Console.WriteLine(string.Create(inv, $"engine: {stats.Steps:N0} steps, {stats.GeneratedTokens:N0} tokens generated, prefix cache hits {stats.PrefixHits}/{stats.PrefixQueries} blocks, {stats.Preemptions} preemptions"));
        await app.StopAsync(cancellation);

        // The same load straight into the engine, without HTTP: what batching alone buys, and what the API costs.
        Console.WriteLine("engine only (no HTTP):");
        double? engineSingle = null;
        foreach (int streams in levels)
        {
            var sw = Stopwatch.StartNew();
            int produced = await EngineOnlyAsync(served, streams, perStream, maxTokens, cancellation);
            double rate = produced / sw.Elapsed.TotalSeconds;
            engineSingle ??= streams == 1 ? rate : null;
            string ratio = engineSingle is { } one && streams != 1 ? string.Create(inv, $"   ({rate / one:0.00}x one stream)") : "";
            Console.WriteLine(string.Create(inv, $"{streams,7}  {streams * perStream,8}  {rate,8:N1}{ratio}"));
        }
    }

    private static async Task<int> EngineOnlyAsync(ServedModel served, int streams, int perStream, int maxTokens, CancellationToken cancellation)
    {
        var counts = await Task.WhenAll(Enumerable.Range(0, streams).Select(async stream =>
        {
            int tokens = 0;
            for (int r = 0; r < perStream; r++)
            {
                var prompt = Llama.Core.Tokenization.Llama3ChatTemplate.Encode(served.Tokenizer,
                    [new("user", $"Tell me story number {stream * perStream + r} about the sea.")]).Ids;
                var sampling = Llama.Core.Generation.SamplingOptions.Greedy with { MaxNewTokens = maxTokens };
                using var generation = served.Engine.Submit(new SequenceRequest(prompt, sampling));
                await foreach (var _ in generation.ReadAllAsync(cancellation)) tokens++;
            }
            return tokens;
        }));
        return counts.Sum();
    }

    private static async Task<List<RequestTiming>> OneLevelAsync(HttpClient http, int streams, int perStream, int maxTokens, CancellationToken cancellation)
    {
        var all = await Task.WhenAll(Enumerable.Range(0, streams).Select(async stream =>
        {
            var timings = new List<RequestTiming>();
            for (int r = 0; r < perStream; r++)
                timings.Add(await OneRequestAsync(http, $"Tell me story number {stream * perStream + r} about the sea.", maxTokens, cancellation));
            return timings;
        }));
        return all.SelectMany(t => t).ToList();
    }

    private static async Task<RequestTiming> OneRequestAsync(HttpClient http, string prompt, int maxTokens, CancellationToken cancellation)
    {
        var body = new JsonObject
        {
            ["model"] = "bench", ["stream"] = true, ["temperature"] = 0, ["max_tokens"] = maxTokens, ["ignore_eos"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
        };
        var start = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
        double? first = null;
        long previous = start;
        var gaps = new List<double>();
        int tokens = 0;
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
            using var chunk = JsonDocument.Parse(line.AsMemory(6));
            if (chunk.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                tokens = usage.GetProperty("completion_tokens").GetInt32();
            if (chunk.RootElement.GetProperty("choices").GetArrayLength() == 0) continue;
            long now = Stopwatch.GetTimestamp();
            if (first is null) first = Stopwatch.GetElapsedTime(start, now).TotalSeconds;
            else gaps.Add(Stopwatch.GetElapsedTime(previous, now).TotalSeconds);
            previous = now;
        }
        return new RequestTiming(first ?? double.NaN, Stopwatch.GetElapsedTime(start).TotalSeconds, tokens, gaps);
    }

    private static double P(double[] values, double percentile)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(percentile / 100 * sorted.Length) - 1)];
    }
}
