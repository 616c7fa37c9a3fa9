using Llama.Core.Generation;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Alignment.RejectionSampling;

/// <summary>
/// Decodes several sequences at once with one preallocated <see cref="KvCache"/>: the prompts, all of one length (K
/// copies of one prompt for rejection sampling, or equal-length prompts for evaluation), are prefilled in one forward
/// pass, then each step feeds one token per row. Rows that emitted a stop token are finished; the batch ends when all
/// are, or at the token budget.
/// </summary>
public static class BatchedGenerator
{
    /// <returns>Per row, the new tokens up to and including the first stop token.</returns>
    public static List<List<int>> Generate(LlamaModel model, IReadOnlyList<int[]> prompts, SamplingOptions options, IReadOnlySet<int> stopIds,
        CancellationToken cancellation = default)
    {
        options.Validate();
        int length = prompts[0].Length;
        if (prompts.Any(p => p.Length != length)) throw new ArgumentException("batched prompts must all have the same length");
        if (length == 0) throw new ArgumentException("the prompt is empty");
        int budget = Math.Min(options.MaxNewTokens, model.Config.MaxPositionEmbeddings - length);
        var outputs = prompts.Select(_ => new List<int>()).ToList();
        if (budget <= 0) return outputs;

        using var noGrad = no_grad();
        model.eval();
        using var sampler = new TokenSampler(options, model.Device);
        using var cache = model.CreateCache(prompts.Count, length + budget);
        var finished = new bool[prompts.Count];
        var feed = tensor(prompts.SelectMany(p => p.Select(t => (long)t)).ToArray(), [prompts.Count, length], ScalarType.Int64, model.Device);
        for (int step = 0; step < budget && !finished.All(f => f); step++)
        {
            cancellation.ThrowIfCancellationRequested();
            long[] next;
            using (var scope = NewDisposeScope())
            {
                var logits = model.Forward(feed, cache, lastPositionOnly: true); // [B, 1, V]
                next = sampler.Sample(logits.squeeze(1));
            }
            feed.Dispose();
            for (int b = 0; b < next.Length; b++)
            {
                if (finished[b]) continue;
                outputs[b].Add((int)next[b]);
                if (stopIds.Contains((int)next[b])) finished[b] = true;
            }
            feed = tensor(next, [next.Length, 1], ScalarType.Int64, model.Device);
        }
        feed.Dispose();
        return outputs;
    }
}
