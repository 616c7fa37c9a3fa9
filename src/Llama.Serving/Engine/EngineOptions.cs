namespace Llama.Serving.Engine;

/// <summary>
/// How the engine batches and how much KV memory it keeps. Defaults suit the tiny models on a laptop CPU; for a
/// real model size <see cref="NumBlocks"/> to the accelerator memory left after the weights.
/// </summary>
public sealed record EngineOptions
{
    /// <summary>Tokens per KV block (vLLM's default 16).</summary>
    public int BlockSize { get; init; } = 16;

    /// <summary>KV blocks in the pool: with 16-token blocks, 2048 blocks hold 32,768 tokens across all sequences.</summary>
    public int NumBlocks { get; init; } = 2048;

    /// <summary>Most sequences decoding together (vLLM's max_num_seqs).</summary>
    public int MaxRunningSequences { get; init; } = 64;

    /// <summary>Most prompt tokens prefilled in one engine step (a long prompt alone may exceed it).</summary>
    public int MaxPrefillTokensPerStep { get; init; } = 2048;

    /// <summary>The longest sequence (prompt + output) served; 0 = the model's max_position_embeddings, capped by the pool.</summary>
    public int MaxModelLength { get; init; }

    /// <summary>Reuse the KV blocks of shared prompt prefixes.</summary>
    public bool EnablePrefixCaching { get; init; } = true;

    public void Validate()
    {
        if (BlockSize <= 0) throw new ArgumentException($"block size ({BlockSize}) must be positive");
        if (NumBlocks <= 0) throw new ArgumentException($"KV blocks ({NumBlocks}) must be positive");
        if (MaxRunningSequences <= 0) throw new ArgumentException($"max running sequences ({MaxRunningSequences}) must be positive");
        if (MaxPrefillTokensPerStep <= 0) throw new ArgumentException($"max prefill tokens per step ({MaxPrefillTokensPerStep}) must be positive");
        if (MaxModelLength < 0) throw new ArgumentException($"max model length ({MaxModelLength}) must be >= 0");
    }
}
