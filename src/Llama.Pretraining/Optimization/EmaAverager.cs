using Llama.Core.Training;
using static TorchSharp.torch;

namespace Llama.Pretraining.Optimization;

/// <summary>
/// An exponential moving average of weights, updated after each optimizer step: the first update copies, then
/// <c>ema ← decay·ema + (1 − decay)·w</c> (torch.optim.swa_utils' EMA, <c>ema.lerp_(w, 1 − decay)</c>). The
/// average is kept in float32 at least (float64 stays float64), so a decay near 1 is not lost to bf16 rounding.
/// </summary>
public sealed class EmaAverager : IDisposable
{
    private readonly Dictionary<string, (Tensor Average, ScalarType DType)> _averages = new(StringComparer.Ordinal);

    /// <param name="decay">Weight of the old average, in [0, 1); e.g. 0.999 averages over roughly the last 1,000 updates.</param>
    public EmaAverager(double decay)
    {
        if (!(decay >= 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in [0, 1).");
        Decay = decay;
    }

    /// <summary>Weight of the old average in each update.</summary>
    public double Decay { get; }

    /// <summary>Updates taken so far.</summary>
    public long UpdateCount { get; private set; }

    /// <summary>Folds the current weights in, e.g. <c>Update(model.named_parameters())</c> after each step.</summary>
    /// <exception cref="TensorSetMismatchException">The names or shapes differ from the first update's.</exception>
    public void Update<TTensor>(IEnumerable<(string Name, TTensor Value)> weights) where TTensor : Tensor
    {
        var current = weights.Select(w => (w.Name, (Tensor)w.Value)).ToList();
        if (UpdateCount > 0) CheckMatches(current);
        foreach (var (name, value) in current)
            if (!value.is_floating_point()) throw new TensorSetMismatchException($"EMA: '{name}' is {value.dtype}; only floating-point weights average.");
        using var noGrad = no_grad();
        foreach (var (name, value) in current)
        {
            using var scope = NewDisposeScope();
            if (UpdateCount == 0)
            {
                var storage = value.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
                _averages[name] = (value.detach().to(storage, copy: true).DetachFromDisposeScope(), value.dtype);
            }
            else
            {
                var average = _averages[name].Average;
                average.lerp_(value.to(average.dtype), 1 - Decay);
            }
        }
        UpdateCount++;
    }

    /// <summary>The averaged weights as new tensors in the original dtypes (the caller owns them).</summary>
    public Dictionary<string, Tensor> Averaged()
    {
        if (UpdateCount == 0) throw new InvalidOperationException("EMA: no update has been taken.");
        using var noGrad = no_grad();
        return _averages.ToDictionary(kv => kv.Key, kv => kv.Value.Average.to(kv.Value.DType, copy: true).DetachFromDisposeScope(), StringComparer.Ordinal);
    }

    private void CheckMatches(List<(string Name, Tensor Value)> current)
    {
        if (current.Count != _averages.Count)
            throw new TensorSetMismatchException($"EMA: update has {current.Count} tensors, the first had {_averages.Count}.");
        foreach (var (name, value) in current)
        {
            if (!_averages.TryGetValue(name, out var entry))
                throw new TensorSetMismatchException($"EMA: '{name}' was not in the first update.");
            if (!value.shape.SequenceEqual(entry.Average.shape))
                throw new TensorSetMismatchException(
                    $"EMA: '{name}' has shape [{string.Join(", ", value.shape)}], the first update had [{string.Join(", ", entry.Average.shape)}].");
        }
    }

    /// <summary>Frees the averages.</summary>
    public void Dispose()
    {
        foreach (var (average, _) in _averages.Values) average.Dispose();
        _averages.Clear();
    }
}
