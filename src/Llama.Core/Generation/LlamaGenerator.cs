using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Core.Generation;

/// <summary>
/// Autoregressive decoding for one sequence, streamed token by token. The prompt is prefilled in one
/// forward pass into a preallocated <see cref="KvCache"/>; each step then feeds a single token.
/// </summary>
public sealed class LlamaGenerator(LlamaModel model)
{
    public LlamaModel Model { get; } = model;

    /// <summary>Yields new token ids as they are produced; the prompt is not repeated.</summary>
    public IEnumerable<GeneratedToken> Generate(IReadOnlyList<int> promptIds, SamplingOptions options, CancellationToken cancellation = default)
    {
        options.Validate();
        if (promptIds.Count == 0) throw new ArgumentException("the prompt is empty: give at least one token (e.g. <|begin_of_text|>)", nameof(promptIds));
        int contextLimit = Model.Config.MaxPositionEmbeddings;
        if (promptIds.Count >= contextLimit)
            throw new ArgumentException($"the prompt has {promptIds.Count} tokens; the model's context is {contextLimit}", nameof(promptIds));
        if (options.MaxNewTokens == 0) yield break;

        int budget = Math.Min(options.MaxNewTokens, contextLimit - promptIds.Count);
        var stopIds = options.StopTokenIds.ToHashSet();
        using var sampler = new TokenSampler(options, Model.Device);
        using var cache = options.UseKvCache ? Model.CreateCache(1, promptIds.Count + budget) : null;
        var sequence = new List<int>(promptIds);
        using var eval = no_grad();
        Model.eval();

        for (int step = 0; step < budget; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            long next;
            using (var scope = NewDisposeScope())
            {
                // With the cache: the whole prompt first, then only the newest token. Without: everything, every step.
                IEnumerable<int> feed = cache is null || step == 0 ? sequence : sequence.Skip(sequence.Count - 1);
                var input = tensor(feed.Select(i => (long)i).ToArray(), ScalarType.Int64, Model.Device).unsqueeze(0);
                var logits = Model.Forward(input, cache, lastPositionOnly: true); // [1, 1, V]
                next = sampler.Sample(logits.squeeze(1))[0];
            }
            sequence.Add((int)next);
            bool stop = stopIds.Contains((int)next);
            bool last = step == budget - 1;
            yield return new GeneratedToken((int)next, stop ? FinishReason.Stop : last ? FinishReason.Length : FinishReason.None);
            if (stop) yield break;
        }
    }
}
