using static TorchSharp.torch;

namespace Llama.Core.Training;

/// <summary>
/// The arithmetic mean of several checkpoints' weights: Llama 3's final pretrained model is the average of the
/// checkpoints saved during annealing ("The Llama 3 Herd of Models", arXiv 2407.21783, section 3.4.3, citing Polyak
/// and Juditsky 1992). Checkpoints are added one at a time, so only the float64 running sums and one checkpoint
/// need to be in memory; the mean is computed in float64 and cast back to each tensor's dtype.
/// </summary>
public sealed class PolyakAverager : IDisposable
{
    private readonly Dictionary<string, (Tensor Sum, ScalarType DType)> _sums = new(StringComparer.Ordinal);

    /// <summary>Checkpoints added so far.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds one checkpoint. The first fixes the names, shapes and dtypes; every later one must match them exactly.
    /// Nothing is added when the check fails.
    /// </summary>
    /// <exception cref="TensorSetMismatchException">A name is missing or unexpected, or a shape or dtype differs.</exception>
    public void Add(IReadOnlyDictionary<string, Tensor> checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Count == 0) throw new TensorSetMismatchException("Polyak average: checkpoint holds no tensors.");
        if (Count > 0) CheckMatches(checkpoint);
        foreach (var (name, tensor) in checkpoint)
            if (!tensor.is_floating_point())
                throw new TensorSetMismatchException($"Polyak average: '{name}' is {tensor.dtype}; only floating-point weights average.");

        using var noGrad = no_grad();
        foreach (var (name, tensor) in checkpoint)
        {
            if (Count == 0)
                _sums[name] = (tensor.to(ScalarType.Float64, copy: true).DetachFromDisposeScope(), tensor.dtype);
            else
            {
                using var scope = NewDisposeScope();
                _sums[name].Sum.add_(tensor.to(ScalarType.Float64));
            }
        }
        Count++;
    }

    /// <summary>The mean of the checkpoints added, as new tensors in each input's dtype (the caller owns them).</summary>
    public Dictionary<string, Tensor> Average()
    {
        if (Count == 0) throw new InvalidOperationException("Polyak average: no checkpoint has been added.");
        using var noGrad = no_grad();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, (sum, dtype)) in _sums)
        {
            using var scope = NewDisposeScope();
            result[name] = (sum / Count).to(dtype).MoveToOuterDisposeScope();
        }
        return result;
    }

    /// <summary>The mean of <paramref name="checkpoints"/> in one call.</summary>
    public static Dictionary<string, Tensor> Average(IEnumerable<IReadOnlyDictionary<string, Tensor>> checkpoints)
    {
        using var averager = new PolyakAverager();
        foreach (var checkpoint in checkpoints) averager.Add(checkpoint);
        return averager.Average();
    }

    private void CheckMatches(IReadOnlyDictionary<string, Tensor> checkpoint)
    {
        string which = $"checkpoint {Count + 1}";
        foreach (var (name, (sum, dtype)) in _sums)
        {
            if (!checkpoint.TryGetValue(name, out var tensor))
                throw new TensorSetMismatchException($"Polyak average: {which} lacks '{name}'.");
            if (!tensor.shape.SequenceEqual(sum.shape))
                throw new TensorSetMismatchException(
                    $"Polyak average: {which} '{name}' has shape [{string.Join(", ", tensor.shape)}], the first had [{string.Join(", ", sum.shape)}].");
            if (tensor.dtype != dtype)
                throw new TensorSetMismatchException($"Polyak average: {which} '{name}' is {tensor.dtype}, the first was {dtype}.");
        }
        foreach (var name in checkpoint.Keys)
            if (!_sums.ContainsKey(name))
                throw new TensorSetMismatchException($"Polyak average: {which} has '{name}', which the first did not.");
    }

    /// <summary>Frees the running sums.</summary>
    public void Dispose()
    {
        foreach (var (sum, _) in _sums.Values) sum.Dispose();
        _sums.Clear();
    }
}
