using Llama.Core.Generation;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Quantization.Quality;

/// <summary>
/// What the quality check compares, measured on one model: the negative log-likelihood of held-out text, the
/// top-1 next-token prediction at every scored position, and greedy continuations of a few prompts from that text.
/// Taken once before quantization and once after, on the same tokens.
/// </summary>
public sealed record ModelMeasurement(double MeanNll, int ScoredTokens, int[] Top1, IReadOnlyList<int[]> Continuations)
{
    public double Perplexity => Math.Exp(MeanNll);

    /// <summary>Scores <paramref name="tokens"/> in consecutive windows and continues the first windows' openings greedily.</summary>
    public static ModelMeasurement Take(LlamaModel model, IReadOnlyList<int> tokens, QualityCheckConfig config, CancellationToken cancellation = default)
    {
        var windows = Windows(tokens, config, model.Config.MaxPositionEmbeddings);
        if (windows.Count == 0) throw new ArgumentException($"the held-out text has {tokens.Count} tokens; the quality check needs at least 2");
        using var eval = no_grad();
        model.eval();
        double nll = 0;
        var top1 = new List<int>();
        foreach (var window in windows)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var input = tensor(window.Select(t => (long)t).ToArray(), ScalarType.Int64, model.Device).unsqueeze(0);
            var logits = model.Forward(input.narrow(1, 0, window.Length - 1)).squeeze(0).to_type(ScalarType.Float32); // [T-1, V]
            var targets = input.squeeze(0).narrow(0, 1, window.Length - 1);
            nll += nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.Sum).item<float>();
            top1.AddRange(logits.argmax(-1).cpu().data<long>().ToArray().Select(t => (int)t));
        }

        var continuations = new List<int[]>();
        var generator = new LlamaGenerator(model);
        var greedy = SamplingOptions.Greedy with { MaxNewTokens = config.ContinuationTokens };
        foreach (var window in windows.Take(config.Prompts).Where(w => w.Length >= config.PromptTokens))
            continuations.Add(generator.Generate(window[..config.PromptTokens], greedy, cancellation).Select(t => t.Id).ToArray());
        return new ModelMeasurement(nll / top1.Count, top1.Count, [.. top1], continuations);
    }

    /// <summary>Non-overlapping windows over the first <see cref="QualityCheckConfig.MaxTokens"/> tokens (a last short one if it has 2 or more).</summary>
    private static List<int[]> Windows(IReadOnlyList<int> tokens, QualityCheckConfig config, int context)
    {
        int count = Math.Min(tokens.Count, config.MaxTokens);
        int size = Math.Min(config.Window, context);
        var windows = new List<int[]>();
        for (int start = 0; start + 2 <= count; start += size)
            windows.Add(tokens.Skip(start).Take(Math.Min(size, count - start)).ToArray());
        return windows;
    }
}
