using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Core.Generation;

/// <summary>Which code runs the decode steps of <see cref="LlamaGenerator"/>.</summary>
public enum DecodeEngine
{
    /// <summary><see cref="Simd"/> where <see cref="SimdDecoder"/> applies (CPU, float32, plain layers, KV cache on), else <see cref="TorchSharp"/>.</summary>
    Auto,
    /// <summary><see cref="LlamaModel.Forward"/> for every step: any device, dtype or FP8 layer.</summary>
    TorchSharp,
    /// <summary>The prompt through <see cref="LlamaModel.Forward"/>, then each step through <see cref="SimdDecoder"/>: several times faster at batch 1 on a CPU.</summary>
    Simd,
}

/// <summary>
/// Autoregressive decoding for one sequence, streamed token by token. The prompt is prefilled in one forward pass
/// into a preallocated KV cache; each step then feeds a single token, through libtorch (<see cref="DecodeEngine.TorchSharp"/>)
/// or, by default where it applies, through the libtorch-free <see cref="SimdDecoder"/>. Both give the same tokens
/// (the same math; pinned to transformers' greedy output).
/// </summary>
public sealed class LlamaGenerator(LlamaModel model, DecodeEngine engine = DecodeEngine.Auto)
{
    public LlamaModel Model { get; } = model;

    public DecodeEngine Engine { get; } = engine;

    /// <summary>The engine <see cref="Generate"/> runs for <paramref name="options"/>: never <see cref="DecodeEngine.Auto"/>.</summary>
    /// <exception cref="NotSupportedException"><see cref="DecodeEngine.Simd"/> was asked for where it does not apply (the message says why).</exception>
    public DecodeEngine EngineFor(SamplingOptions options)
    {
        if (Engine == DecodeEngine.TorchSharp) return DecodeEngine.TorchSharp;
        string? reason = options.UseKvCache ? SimdDecoder.Unsupported(Model) : "decoding without a KV cache recomputes the sequence with libtorch";
        if (reason is null) return DecodeEngine.Simd;
        if (Engine == DecodeEngine.Simd) throw new NotSupportedException($"the simd decode engine does not apply: {reason}");
        return DecodeEngine.TorchSharp;
    }

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
        var tokens = EngineFor(options) == DecodeEngine.Simd
            ? SimdTokens(promptIds, options, budget, cancellation)
            : TorchTokens(promptIds, options, budget, cancellation);
        int step = 0;
        foreach (int next in tokens)
        {
            bool stop = stopIds.Contains(next);
            bool last = ++step == budget;
            yield return new GeneratedToken(next, stop ? FinishReason.Stop : last ? FinishReason.Length : FinishReason.None);
            if (stop || last) yield break;
        }
    }

    /// <summary>Every step through <see cref="LlamaModel.Forward"/>: the whole prompt first, then only the newest token (or everything, without the cache).</summary>
    private IEnumerable<int> TorchTokens(IReadOnlyList<int> promptIds, SamplingOptions options, int budget, CancellationToken cancellation)
    {
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
                IEnumerable<int> feed = cache is null || step == 0 ? sequence : sequence.Skip(sequence.Count - 1);
                var input = tensor(feed.Select(i => (long)i).ToArray(), ScalarType.Int64, Model.Device).unsqueeze(0);
                var logits = Model.Forward(input, cache, lastPositionOnly: true); // [1, 1, V]
                next = sampler.Sample(logits.squeeze(1))[0];
            }
            sequence.Add((int)next);
            yield return (int)next;
        }
    }

    /// <summary>The prompt through <see cref="SimdDecoder.Prefill"/> (one libtorch forward pass), then one <see cref="SimdDecoder.Step"/> per token.</summary>
    private IEnumerable<int> SimdTokens(IReadOnlyList<int> promptIds, SamplingOptions options, int budget, CancellationToken cancellation)
    {
        using var sampler = new TokenSampler(options, Model.Device);
        Model.eval();
        var decoder = new SimdDecoder(Model, promptIds.Count + budget);
        cancellation.ThrowIfCancellationRequested();
        int next = Choose(decoder.Prefill(promptIds), sampler, options);
        yield return next;
        for (int step = 1; step < budget; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            next = Choose(decoder.Step(next), sampler, options);
            yield return next;
        }
    }

    /// <summary>Greedy is the first largest logit (torch.argmax's choice); sampling goes through the same <see cref="TokenSampler"/> as the TorchSharp path.</summary>
    private static int Choose(ReadOnlySpan<float> logits, TokenSampler sampler, SamplingOptions options)
    {
        if (options.Temperature == 0) return SimdDecoder.ArgMax(logits);
        using var scope = NewDisposeScope();
        return (int)sampler.Sample(tensor(logits.ToArray()).unsqueeze(0))[0];
    }
}
