using Llama.Core.Model;
using Llama.Core.Quantization;
using static TorchSharp.torch;

namespace Llama.Quantization.Quantizer;

/// <summary>What quantizing one linear layer did: its size before and after, and how far each row moved.</summary>
/// <param name="RowRelativeErrors">Per output row: ‖w − dequant(quant(w))‖₂ / ‖w‖₂ (0 for an all-zero row).</param>
public sealed record QuantizedModule(string Name, long Rows, long Columns, float[] RowRelativeErrors)
{
    /// <summary>Bytes of the weight in float32.</summary>
    public long Float32Bytes => Rows * Columns * 4;

    /// <summary>Bytes of the FP8 codes alone.</summary>
    public long CodeBytes => Rows * Columns;

    /// <summary>Bytes of the FP8 codes plus the float32 per-row scales.</summary>
    public long Fp8Bytes => Rows * Columns + Rows * 4;
}

/// <summary>
/// Turns the planned linear layers of a model into <see cref="Fp8Linear"/> layers in place: weights quantized row-wise
/// to E4M3 (one scale per output row), activations quantized per token at run time with the configured bound.
/// </summary>
public static class RowwiseFp8Quantizer
{
    /// <exception cref="ArgumentException">A weight holds NaN or infinity (the message names the module and row).</exception>
    public static IReadOnlyList<QuantizedModule> Quantize(LlamaModel model, QuantizationPlan plan, QuantizeConfig config, IProgress<string>? progress = null)
    {
        var done = new List<QuantizedModule>(plan.Quantized.Count);
        // Checked for every planned layer before any is replaced: a bad weight leaves the model as it was.
        var linears = plan.Quantized.Select(name => (name, Fp8ModelLayout.GetLinear(model, name))).ToList();
        var replacements = new List<(string Name, Fp8Linear Module)>();
        try
        {
            foreach (var (name, linear) in linears)
            {
                var fp8 = Fp8Linear.FromLinear(linear, config.ActivationScaleUpperBound, name);
                replacements.Add((name, fp8));
                done.Add(new QuantizedModule(name, linear.weight!.shape[0], linear.weight.shape[1], RowErrors(linear.weight, fp8)));
                progress?.Report($"quantized {name} [{linear.weight.shape[0]}x{linear.weight.shape[1]}]");
            }
        }
        catch
        {
            foreach (var (_, module) in replacements) module.Dispose();
            throw;
        }
        foreach (var (name, module) in replacements) Fp8ModelLayout.Replace(model, name, module);
        return done;
    }

    private static float[] RowErrors(Tensor weight, Fp8Linear fp8)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = weight.to_type(ScalarType.Float32);
        var error = (w - fp8.DequantizedWeight()).square().sum(1).sqrt();
        var norm = w.square().sum(1).sqrt();
        var relative = where(norm > 0, error / norm.clamp_min(float.Epsilon), zeros_like(norm));
        return relative.cpu().data<float>().ToArray();
    }
}
