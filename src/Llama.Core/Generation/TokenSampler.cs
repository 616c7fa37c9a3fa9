using static TorchSharp.torch;

namespace Llama.Core.Generation;

/// <summary>Chooses next tokens from logits: greedy, or temperature with top-k and top-p filtering.</summary>
public sealed class TokenSampler : IDisposable
{
    private readonly SamplingOptions _options;
    private readonly Generator? _generator;

    public TokenSampler(SamplingOptions options, Device device)
    {
        options.Validate();
        _options = options;
        // Sampling draws on the CPU generator: CPU and CUDA then give the same tokens for the same probabilities.
        if (options.Temperature > 0) _generator = new Generator((ulong)options.Seed, CPU);
    }

    /// <summary>Next token ids [B] from logits [B, V].</summary>
    public long[] Sample(Tensor logits)
    {
        using var scope = NewDisposeScope();
        if (_options.Temperature == 0) return logits.argmax(-1).cpu().data<long>().ToArray();

        var scores = logits.to(ScalarType.Float32) / _options.Temperature;
        long vocab = scores.shape[^1];
        if (_options.TopK > 0 && _options.TopK < vocab)
        {
            // Everything below the k-th largest score is removed (ties at the k-th value are kept, as in transformers).
            var kth = scores.topk(_options.TopK, dim: -1).values.narrow(-1, _options.TopK - 1, 1);
            scores = scores.masked_fill(scores.lt(kth), double.NegativeInfinity);
        }
        if (_options.TopP < 1)
        {
            var (sorted, order) = scores.sort(dim: -1, descending: true);
            var cumulative = sorted.softmax(-1).cumsum(-1);
            // Drop a token when the tokens ranked above it already reach p; the most likely token always stays.
            var remove = (cumulative - sorted.softmax(-1)).ge(_options.TopP);
            var removeInVocabOrder = zeros_like(remove).scatter(-1, order, remove);
            scores = scores.masked_fill(removeInVocabOrder, double.NegativeInfinity);
        }
        var probabilities = scores.softmax(-1).cpu();
        return probabilities.multinomial(1, replacement: false, generator: _generator).squeeze(-1).data<long>().ToArray();
    }

    public void Dispose() => _generator?.Dispose();
}
