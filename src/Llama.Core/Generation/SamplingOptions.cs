namespace Llama.Core.Generation;

/// <summary>
/// How the next token is chosen and when generation stops. Temperature 0 is greedy decoding; otherwise
/// logits are divided by the temperature, filtered by top-k then top-p (nucleus), and sampled with a
/// generator seeded by <see cref="Seed"/> (same seed, same tokens).
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>0 = greedy. Llama 3's released generation_config uses 0.6.</summary>
    public double Temperature { get; init; } = 0.6;

    /// <summary>Keep only the k most likely tokens; 0 = no limit.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens whose probability reaches p; 1 = no limit. Llama 3 uses 0.9.</summary>
    public double TopP { get; init; } = 0.9;

    public long Seed { get; init; } = 0;

    public int MaxNewTokens { get; init; } = 128;

    /// <summary>Token ids that end generation (emitted, then generation stops), e.g. end_of_text and eot.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Texts that end generation; the text up to (not including) the stop string is returned.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Decode with the preallocated KV cache (default) or recompute the whole sequence every step.</summary>
    public bool UseKvCache { get; init; } = true;

    public static SamplingOptions Greedy { get; } = new() { Temperature = 0, TopP = 1 };

    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be a finite number >= 0");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be >= 0 (0 disables it)");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]");
        if (MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "max new tokens must be >= 0");
        if (StopStrings.Any(string.IsNullOrEmpty)) throw new ArgumentException("stop strings must not be empty", nameof(StopStrings));
    }
}
