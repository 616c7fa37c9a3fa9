using Llama.Serving.Engine;
using Prometheus;

namespace Llama.Serving.Metrics;

/// <summary>
/// The server's Prometheus metrics (<c>/metrics</c>), named after vLLM's: running and waiting requests, KV-cache
/// use and prefix-cache hits (read from the engine at each scrape), time to first token and time per output
/// token (histograms observed as tokens stream out), token counters and recent generation throughput. Each
/// server keeps its own registry, so several servers in one process (tests) do not mix their numbers.
/// </summary>
public sealed class ServingMetrics
{
    private static readonly double[] LatencyBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

    public ServingMetrics(InferenceEngine engine)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        TimeToFirstToken = factory.CreateHistogram("llama_time_to_first_token_seconds", "Time from request arrival to its first generated token",
            new HistogramConfiguration { Buckets = LatencyBuckets });
        TimePerOutputToken = factory.CreateHistogram("llama_time_per_output_token_seconds", "Time between consecutive generated tokens of a sequence",
            new HistogramConfiguration { Buckets = LatencyBuckets });
        FinishedSequences = factory.CreateCounter("llama_request_success_total", "Sequences that finished, by finish reason",
            new CounterConfiguration { LabelNames = ["finished_reason"] });
        var running = factory.CreateGauge("llama_num_requests_running", "Sequences in the running batch");
        var waiting = factory.CreateGauge("llama_num_requests_waiting", "Sequences waiting to be admitted");
        var kvUsage = factory.CreateGauge("llama_kv_cache_usage_perc", "Fraction of KV-cache blocks in use (1 = full)");
        var prefixQueries = factory.CreateCounter("llama_prefix_cache_queries_total", "Full prompt blocks looked up in the prefix cache");
        var prefixHits = factory.CreateCounter("llama_prefix_cache_hits_total", "Full prompt blocks found in the prefix cache");
        var promptTokens = factory.CreateCounter("llama_prompt_tokens_total", "Prompt tokens prefilled");
        var generationTokens = factory.CreateCounter("llama_generation_tokens_total", "Tokens generated");
        var preemptions = factory.CreateCounter("llama_num_preemptions_total", "Sequences preempted for lack of KV blocks");
        var throughput = factory.CreateGauge("llama_generation_tokens_per_second", "Generated tokens per second over the last 10 s");
        Registry.AddBeforeCollectCallback(() =>
        {
            var s = engine.Stats;
            running.Set(s.Running);
            waiting.Set(s.Waiting);
            kvUsage.Set(s.KvCacheUsage);
            prefixQueries.IncTo(s.PrefixQueries);
            prefixHits.IncTo(s.PrefixHits);
            promptTokens.IncTo(s.PromptTokens);
            generationTokens.IncTo(s.GeneratedTokens);
            preemptions.IncTo(s.Preemptions);
            throughput.Set(s.GenerationTokensPerSecond);
        });
    }

    public CollectorRegistry Registry { get; }
    public Histogram TimeToFirstToken { get; }
    public Histogram TimePerOutputToken { get; }
    public Counter FinishedSequences { get; }

    /// <summary>The Prometheus text exposition of every metric.</summary>
    public Task WriteAsync(Stream output, CancellationToken cancellation) => Registry.CollectAndExportAsTextAsync(output, cancellation);
}
