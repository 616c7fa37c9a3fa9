namespace Llama.Core.Generation;

/// <summary>Why generation ended: a stop token or string, the token budget, or the model's context.</summary>
public enum FinishReason { None, Stop, Length }

/// <summary>One generated token as it streams out; <see cref="Finish"/> is set on the last one.</summary>
public readonly record struct GeneratedToken(int Id, FinishReason Finish);
