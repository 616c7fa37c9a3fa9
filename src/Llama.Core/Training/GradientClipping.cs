using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Training;

/// <summary>Gradient clipping by the global L2 norm, as <c>torch.nn.utils.clip_grad_norm_</c> (norm_type 2).</summary>
public static class GradientClipping
{
    /// <summary>Added to the norm in the scale, as torch does, so the division never meets a zero norm.</summary>
    public const double NormEpsilon = 1e-6;

    /// <summary>
    /// Computes the L2 norm of all gradients taken together and, when it exceeds <paramref name="maxNorm"/>, scales
    /// every gradient in place by <c>maxNorm / (norm + 1e-6)</c>. Parameters without a gradient are skipped.
    /// A non-finite norm (NaN or infinity) is returned and the gradients are left untouched: the caller decides
    /// (the trainer stops on NaN) instead of silently stepping with NaN gradients.
    /// </summary>
    /// <returns>The total norm before clipping (0 when no parameter has a gradient).</returns>
    public static double ClipGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        if (!(maxNorm > 0) || double.IsInfinity(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "Gradient clipping: max norm must be finite and > 0.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;

        // Per-tensor norms in float32 (float64 for float64 grads), stacked on the first gradient's device so
        // there is one host synchronisation, not one per tensor (torch stacks the per-tensor norms the same way).
        var device = grads[0].device;
        var accumulate = grads.Any(g => g.dtype == ScalarType.Float64) ? ScalarType.Float64 : ScalarType.Float32;
        var norms = grads.Select(g => NormOf(g, accumulate, device)).ToArray();
        double totalNorm = linalg.vector_norm(stack(norms), 2).to(ScalarType.Float64).item<double>();
        if (!double.IsFinite(totalNorm)) return totalNorm;

        double scale = maxNorm / (totalNorm + NormEpsilon);
        if (scale < 1)
            foreach (var g in grads) g.mul_(scale);
        return totalNorm;
    }

    private static Tensor NormOf(Tensor gradient, ScalarType accumulate, Device device)
    {
        // An inner scope frees the widened copy of a low-precision gradient before the next one is made.
        using var scope = NewDisposeScope();
        return linalg.vector_norm(gradient.to(accumulate), 2).to(device).MoveToOuterDisposeScope();
    }
}
