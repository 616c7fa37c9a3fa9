namespace Llama.Serving.Engine;

/// <summary>A prompt that leaves no room to generate within the served context.</summary>
public sealed class PromptTooLongException(int promptTokens, int maxModelLength)
    : ArgumentException($"the prompt has {promptTokens} tokens; this server's context is {maxModelLength} tokens (prompt and output together)")
{
    public int PromptTokens { get; } = promptTokens;
    public int MaxModelLength { get; } = maxModelLength;
}
