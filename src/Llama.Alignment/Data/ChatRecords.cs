using Llama.Core.Tokenization;

namespace Llama.Alignment.Data;

/// <summary>
/// One SFT example: a conversation whose assistant turns are the targets (the loss sees only their tokens).
/// <paramref name="Task"/> names where it came from (a synthetic task, "jsonl", "rejection-sampling").
/// </summary>
public sealed record ChatExample(string Id, string Task, IReadOnlyList<ChatMessage> Messages);

/// <summary>
/// One preference: two assistant replies to the same prompt, <paramref name="Chosen"/> preferred over
/// <paramref name="Rejected"/> (the Bradley-Terry and DPO data).
/// </summary>
public sealed record PreferencePair(string Id, string Task, IReadOnlyList<ChatMessage> Prompt, string Chosen, string Rejected);

/// <summary>
/// A prompt to generate for (rejection sampling, evaluation). <paramref name="Accepted"/> are the replies a verifier
/// accepts when the task has one; empty otherwise (then a reward model judges).
/// </summary>
public sealed record TaskPrompt(string Id, string Task, IReadOnlyList<ChatMessage> Prompt, IReadOnlyList<string> Accepted)
{
    public bool HasVerifier => Accepted.Count > 0;
}
