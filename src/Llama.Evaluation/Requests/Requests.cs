namespace Llama.Evaluation.Requests;

// The three request types of EleutherAI's lm-evaluation-harness, in token ids: what a task asks of a model.

/// <summary>
/// <c>loglikelihood</c>: log P(continuation | context), summed over the continuation's tokens. The context must not be
/// empty: a continuation at the start of a text is scored after the prefix token (BOS), as the harness does.
/// </summary>
public sealed record LoglikelihoodRequest(IReadOnlyList<int> Context, IReadOnlyList<int> Continuation);

/// <summary>The answer to a <see cref="LoglikelihoodRequest"/>: the summed log-probability (nats) and whether every
/// continuation token was the model's argmax (greedy decoding would have produced exactly this continuation).</summary>
public readonly record struct LoglikelihoodResult(double LogLikelihood, bool IsGreedy);

/// <summary><c>generate_until</c>: decode from the context until a stop string (or the token budget) ends it.</summary>
/// <param name="Temperature">0 = greedy (the harness default); above 0 samples, seeded by <paramref name="Seed"/>.</param>
public sealed record GenerateUntilRequest(IReadOnlyList<int> Context, IReadOnlyList<string> Until, int MaxNewTokens, double Temperature = 0, long Seed = 0);
