using Llama.Alignment.Data;
using Llama.Alignment.Data.Synthetic;
using Llama.Alignment.RejectionSampling;
using Llama.Core.Generation;
using Llama.Core.Model;

namespace Llama.Alignment.Evaluation;

/// <summary>Exact-match accuracy of one task on held-out prompts, with a few replies to look at.</summary>
public sealed record TaskScore(string Task, int Prompts, int Correct, IReadOnlyList<(string Question, string Reply, bool Correct)> Samples)
{
    public double Accuracy => Prompts == 0 ? double.NaN : Correct / (double)Prompts;
}

/// <summary>
/// Answers held-out prompts in the chat template with greedy decoding and checks each reply with the task's verifier.
/// Prompts of equal token length are decoded together (<see cref="BatchedGenerator"/>).
/// </summary>
public static class TaskAccuracy
{
    public static IReadOnlyList<TaskScore> Measure(LlamaModel model, ChatEncoder encoder, IReadOnlyList<TaskPrompt> prompts, int maxNewTokens = 16,
        int batchSize = 32, CancellationToken cancellation = default)
    {
        var verifiable = prompts.Where(p => p.HasVerifier).ToList();
        var encoded = verifiable.Select(p => (Prompt: p, Ids: encoder.EncodePrompt(p.Prompt))).ToList();
        var replies = new Dictionary<string, string>();
        var options = SamplingOptions.Greedy with { MaxNewTokens = maxNewTokens };
        var stop = new HashSet<int> { encoder.Tokenizer.EotId, encoder.Tokenizer.EosId };
        foreach (var group in encoded.GroupBy(e => e.Ids.Length))
            foreach (var chunk in group.Chunk(batchSize))
            {
                var outputs = BatchedGenerator.Generate(model, chunk.Select(c => c.Ids).ToList(), options, stop, cancellation);
                for (int i = 0; i < chunk.Length; i++) replies[chunk[i].Prompt.Id] = encoder.DecodeReply(outputs[i]);
            }
        return verifiable.GroupBy(p => p.Task).Select(g =>
        {
            var judged = g.Select(p => (Question: p.Prompt[^1].Content, Reply: replies[p.Id], Correct: AnswerVerifier.IsCorrect(replies[p.Id], p.Accepted))).ToList();
            return new TaskScore(g.Key, judged.Count, judged.Count(j => j.Correct), judged.Take(5).ToList());
        }).ToList();
    }
}
