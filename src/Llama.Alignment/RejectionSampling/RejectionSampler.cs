using Llama.Alignment.Data;
using Llama.Alignment.Data.Synthetic;
using Llama.Core.Generation;
using Llama.Core.Model;

namespace Llama.Alignment.RejectionSampling;

/// <summary>What rejection sampling kept: the best reply per prompt as SFT data, best-vs-worst pairs as preference data.</summary>
public sealed record RejectionSamplingResult(IReadOnlyList<ChatExample> Kept, IReadOnlyList<PreferencePair> Pairs, int Prompts, int Samples,
    int CorrectSamples, int VerifiedPrompts);

/// <summary>
/// Llama 3's rejection sampling (section 4.2.2): K replies per prompt from the current policy, scored, the best kept.
/// Prompts with a verifier are scored by it (1 correct, 0 not) with the reward model breaking ties when there is one;
/// prompts without are scored by the reward model alone. A verified prompt keeps its best reply only when it is
/// correct. A pair (best, worst) is kept when their scores differ.
/// </summary>
public static class RejectionSampler
{
    public static RejectionSamplingResult Run(LlamaModel policy, RewardModel.RewardModel? rewardModel, ChatEncoder encoder, IReadOnlyList<TaskPrompt> prompts,
        RejectionSamplingOptions options, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var kept = new List<ChatExample>();
        var pairs = new List<PreferencePair>();
        var stop = new HashSet<int> { encoder.Tokenizer.EotId, encoder.Tokenizer.EosId };
        int correctSamples = 0, verified = 0;
        for (int i = 0; i < prompts.Count; i++)
        {
            var prompt = prompts[i];
            if (!prompt.HasVerifier && rewardModel is null)
                throw new ArgumentException($"{prompt.Id}: the task has no verifier and no reward model was given to score its samples");
            var ids = encoder.EncodePrompt(prompt.Prompt);
            var sampling = new SamplingOptions { Temperature = options.Temperature, TopP = options.TopP, MaxNewTokens = options.MaxNewTokens, Seed = options.Seed * 1_000_003L + i };
            var outputs = BatchedGenerator.Generate(policy, Enumerable.Repeat(ids, options.SamplesPerPrompt).ToList(), sampling, stop, cancellation);
            // A reply cut off by the budget (no eot) is incomplete: it can be rejected, never chosen.
            var replies = outputs.Select(o => (Text: encoder.DecodeReply(o), Complete: o.Count > 0 && stop.Contains(o[^1]))).ToList();
            float[] rewards = rewardModel is null ? new float[replies.Count]
                : RewardModel.RewardTrainer.Score(rewardModel, replies.Select(r => (ids, encoder.EncodeReply(r.Text))).ToList(), encoder.Tokenizer.EotId);
            var scored = replies.Select((r, k) =>
            {
                bool correct = prompt.HasVerifier && AnswerVerifier.IsCorrect(r.Text, prompt.Accepted);
                double score = (prompt.HasVerifier ? (correct ? 1.0 : 0.0) * 1000 : 0) + rewards[k] + (r.Complete && r.Text.Length > 0 ? 0 : -1e6);
                return (r.Text, Correct: correct, Usable: r.Complete && r.Text.Length > 0, Score: score);
            }).ToList();
            correctSamples += scored.Count(s => s.Correct);
            if (prompt.HasVerifier) verified++;
            var best = scored.MaxBy(s => s.Score);
            var worst = scored.MinBy(s => s.Score);
            bool keep = best.Usable && (!prompt.HasVerifier || best.Correct);
            if (keep)
            {
                kept.Add(new ChatExample($"{prompt.Id}#rs", prompt.Task, [.. prompt.Prompt, new Llama.Core.Tokenization.ChatMessage("assistant", best.Text)]));
                if (best.Score > worst.Score && worst.Text.Length > 0 && worst.Text != best.Text)
                    pairs.Add(new PreferencePair($"{prompt.Id}#rs", prompt.Task, prompt.Prompt, best.Text, worst.Text));
            }
            progress?.Report((i + 1, prompts.Count));
        }
        return new RejectionSamplingResult(kept, pairs, prompts.Count, prompts.Count * options.SamplesPerPrompt, correctSamples, verified);
    }
}
