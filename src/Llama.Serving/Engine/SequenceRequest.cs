using Llama.Core.Generation;

namespace Llama.Serving.Engine;

/// <summary>
/// One sequence to generate: the prompt ids, how to sample (<see cref="SamplingOptions"/>: temperature, top-k,
/// top-p, seed, max new tokens, stop token ids) and how many log-probabilities to report per token
/// (null: none; 0: the chosen token's only).
/// </summary>
public sealed record SequenceRequest(IReadOnlyList<int> PromptIds, SamplingOptions Sampling, int? TopLogprobs = null);

/// <summary>A candidate token and its log-probability.</summary>
public readonly record struct TokenLogprob(int Id, float Logprob);

/// <summary>One generated token as the engine emits it; <see cref="Finish"/> is set on the last.</summary>
public sealed record SequenceOutput(int TokenId, FinishReason Finish, float? Logprob, IReadOnlyList<TokenLogprob>? TopLogprobs);
