using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Training;

/// <summary>
/// AdamW with decoupled weight decay, the update of <c>torch.optim.AdamW</c> (amsgrad off), written here so its
/// state is plain named tensors that checkpoint exactly (TorchSharp's optimizer state is keyed by native handles).
/// Per parameter p with gradient g, at step t (1-based), learning rate lr:
/// <code>
/// p  ← p · (1 − lr·wd)                      decoupled decay (Loshchilov and Hutter, arXiv 1711.05101)
/// m  ← β1·m + (1 − β1)·g
/// v  ← β2·v + (1 − β2)·g²
/// p  ← p − lr/(1 − β1^t) · m / (sqrt(v)/sqrt(1 − β2^t) + eps)   = p − lr · m̂ / (sqrt(v̂) + eps)
/// </code>
/// The last line is grouped as torch's single-tensor implementation groups it, so results agree to float rounding.
/// </summary>
public sealed class AdamW : IDisposable
{
    private const string FirstMomentPrefix = "exp_avg.";
    private const string SecondMomentPrefix = "exp_avg_sq.";

    private readonly List<OptimizedParameter> _parameters;

    /// <param name="namedParameters">The parameters to train with their names, e.g. <c>model.named_parameters()</c>.</param>
    /// <param name="options">Betas, eps, weight decay and which names decay; null means the Llama defaults.</param>
    public AdamW(IEnumerable<(string Name, Parameter Param)> namedParameters, AdamWOptions? options = null)
    {
        Options = options ?? new AdamWOptions();
        Options.Validate();
        var decays = Options.DecayFilter ?? AdamWOptions.DecaysByDefault;
        _parameters = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in namedParameters)
        {
            if (!seen.Add(name)) throw new ArgumentException($"AdamW: parameter name '{name}' appears twice.", nameof(namedParameters));
            if (!parameter.is_floating_point()) throw new ArgumentException($"AdamW: parameter '{name}' is {parameter.dtype}, not floating point.", nameof(namedParameters));
            // State lives beside its parameter (same device and dtype), as torch allocates it; detached from any
            // dispose scope the caller may have open, because it must outlive it.
            var firstMoment = zeros_like(parameter).DetachFromDisposeScope();
            var secondMoment = zeros_like(parameter).DetachFromDisposeScope();
            _parameters.Add(new OptimizedParameter(name, parameter, decays(name), firstMoment, secondMoment));
        }
    }

    /// <summary>The hyper-parameters this optimizer applies.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Optimizer steps taken; the bias corrections use it, so it is part of the checkpointed state.</summary>
    public long StepCount { get; private set; }

    /// <summary>The parameter names in optimizer order, with whether each receives weight decay.</summary>
    public IReadOnlyList<(string Name, bool Decays)> ParameterDecay => _parameters.Select(p => (p.Name, p.Decays)).ToList();

    /// <summary>
    /// One update at <paramref name="learningRate"/>. A parameter without a gradient is left alone, as torch does;
    /// unlike torch (which counts steps per parameter) the bias correction uses the one shared step count, which
    /// is the same thing whenever every parameter has a gradient, as in pretraining.
    /// </summary>
    public void Step(double learningRate)
    {
        if (!(learningRate >= 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "AdamW: learning rate must be finite and >= 0.");
        StepCount++;
        double beta1 = Options.Beta1, beta2 = Options.Beta2;
        double biasCorrection1 = 1 - Math.Pow(beta1, StepCount);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, StepCount));
        double stepSize = learningRate / biasCorrection1;

        using var noGrad = no_grad();
        foreach (var p in _parameters)
        {
            using var scope = NewDisposeScope();
            var grad = p.Parameter.grad;
            if (grad is null) continue;
            if (p.Decays && Options.WeightDecay != 0) p.Parameter.mul_(1 - learningRate * Options.WeightDecay);
            p.FirstMoment.mul_(beta1).add_(grad, alpha: 1 - beta1);
            p.SecondMoment.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
            var denominator = p.SecondMoment.sqrt().div_(biasCorrection2Sqrt).add_(Options.Epsilon);
            p.Parameter.addcdiv_(p.FirstMoment, denominator, value: -stepSize);
        }
    }

    /// <summary>Drops every gradient (sets it to none, torch's default <c>set_to_none=True</c>), freeing its memory.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            var grad = p.Parameter.grad;
            if (grad is null) continue;
            p.Parameter.grad = null;
            grad.Dispose();
        }
    }

    /// <summary>
    /// The moment buffers, named <c>exp_avg.NAME</c> and <c>exp_avg_sq.NAME</c> as torch's state dict calls them.
    /// These are the live buffers: save them, do not dispose or modify them. <see cref="StepCount"/> completes the state.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors()
    {
        foreach (var p in _parameters)
        {
            yield return new(FirstMomentPrefix + p.Name, p.FirstMoment);
            yield return new(SecondMomentPrefix + p.Name, p.SecondMoment);
        }
    }

    /// <summary>
    /// Restores a state saved from <see cref="StateTensors"/>: copies each tensor into the existing buffer (converting
    /// dtype and device as needed) and sets the step count. Every buffer must be present with its exact shape, and no
    /// other name may appear; nothing is changed when the check fails.
    /// </summary>
    /// <exception cref="TensorSetMismatchException">A name is missing or unexpected, or a shape differs.</exception>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (stepCount < 0) throw new ArgumentOutOfRangeException(nameof(stepCount), stepCount, "AdamW: step count must be >= 0.");
        var buffers = StateTensors().ToList();
        foreach (var (name, buffer) in buffers)
        {
            if (!state.TryGetValue(name, out var stored))
                throw new TensorSetMismatchException($"AdamW state: '{name}' is missing.");
            if (!stored.shape.SequenceEqual(buffer.shape))
                throw new TensorSetMismatchException(
                    $"AdamW state: '{name}' has shape [{string.Join(", ", stored.shape)}], expected [{string.Join(", ", buffer.shape)}].");
        }
        var expected = buffers.Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
        var unexpected = state.Keys.Where(k => !expected.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
            throw new TensorSetMismatchException($"AdamW state: unexpected tensor(s) {string.Join(", ", unexpected.Take(5).Select(n => $"'{n}'"))}"
                                                 + (unexpected.Count > 5 ? $" and {unexpected.Count - 5} more." : "."));
        using var noGrad = no_grad();
        foreach (var (name, buffer) in buffers) buffer.copy_(state[name]);
        StepCount = stepCount;
    }

    /// <summary>Frees the moment buffers (the parameters belong to the model).</summary>
    public void Dispose()
    {
        foreach (var p in _parameters)
        {
            p.FirstMoment.Dispose();
            p.SecondMoment.Dispose();
        }
        _parameters.Clear();
    }

    private sealed record OptimizedParameter(string Name, Parameter Parameter, bool Decays, Tensor FirstMoment, Tensor SecondMoment);
}
