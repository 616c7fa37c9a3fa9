namespace Llama.Serving.Api;

/// <summary>What one request may ask for: refused with a 400 (or 413 for the body) before any work is queued.</summary>
public sealed record ServingLimits
{
    /// <summary>Largest max_tokens accepted.</summary>
    public int MaxTokens { get; init; } = 4096;

    /// <summary>Largest n (choices per request).</summary>
    public int MaxChoices { get; init; } = 8;

    /// <summary>Largest request body.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>Largest top_logprobs / logprobs.</summary>
    public int MaxTopLogprobs { get; init; } = 20;
}
