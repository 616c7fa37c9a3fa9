namespace Llama.Serving.Engine;

/// <summary>A snapshot of the engine for health, metrics and tests.</summary>
public sealed record EngineStats(
    int Running, int Waiting, int UsedBlocks, int NumBlocks, int BlockSize,
    long PromptTokens, long GeneratedTokens, long PrefixQueries, long PrefixHits, long Preemptions, long Steps,
    double GenerationTokensPerSecond)
{
    /// <summary>Share of KV blocks referenced by sequences (vLLM's kv_cache_usage_perc, as a fraction).</summary>
    public double KvCacheUsage => NumBlocks == 0 ? 0 : UsedBlocks / (double)NumBlocks;
}
