using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Quantization;

/// <summary>
/// A linear layer stored in FP8 as Meta's FP8 Llama checkpoints and transformers' <c>FbgemmFp8Linear</c> store it:
/// <c>weight</c> e4m3fn [out, in] and <c>weight_scale</c> float32 [out, 1] (one scale per output row), optional
/// <c>bias</c>. Each forward quantizes its input per token (dynamic scales, amax bounded by
/// <see cref="ActivationScaleUpperBound"/>) and computes from the codes (<see cref="Fp8Rowwise.Matmul"/>).
/// Inference only: the parameters do not require gradients.
/// </summary>
public sealed class Fp8Linear : nn.Module<Tensor, Tensor>
{
    public Fp8Linear(long inFeatures, long outFeatures, bool hasBias, float activationScaleUpperBound, Device device, ScalarType outputDtype)
        : base(nameof(Fp8Linear))
    {
        if (!(activationScaleUpperBound > 0))
            throw new ArgumentOutOfRangeException(nameof(activationScaleUpperBound), activationScaleUpperBound, "the activation scale upper bound must be positive");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        ActivationScaleUpperBound = activationScaleUpperBound;
        OutputDtype = outputDtype;
        weight = new Parameter(zeros([outFeatures, inFeatures], Fp8Format.E4M3Fn.ScalarType(), device), requires_grad: false);
        weight_scale = new Parameter(ones([outFeatures, 1], ScalarType.Float32, device), requires_grad: false);
        register_parameter("weight", weight);
        register_parameter("weight_scale", weight_scale);
        if (hasBias)
        {
            bias = new Parameter(zeros([outFeatures], outputDtype, device), requires_grad: false);
            register_parameter("bias", bias);
        }
    }

    // Field names are the registered names (TorchSharp's convention), which are the checkpoint's tensor names.
#pragma warning disable IDE1006
    public Parameter weight { get; }
    public Parameter weight_scale { get; }
    public Parameter? bias { get; }
#pragma warning restore IDE1006

    public long InFeatures { get; }
    public long OutFeatures { get; }

    /// <summary>The bound on a token's amax before its scale is taken (the paper's 1200; <c>activation_scale_ub</c>).</summary>
    public float ActivationScaleUpperBound { get; }

    /// <summary>The dtype of the output (the model's compute dtype).</summary>
    public ScalarType OutputDtype { get; }

    /// <summary>An FP8 copy of <paramref name="linear"/>: its weight quantized row-wise, its bias kept.</summary>
    /// <exception cref="ArgumentException">The weight holds NaN or infinity (the message says which row).</exception>
    public static Fp8Linear FromLinear(Linear linear, float activationScaleUpperBound, string name)
    {
        var w = linear.weight ?? throw new ArgumentException($"{name}: linear layer has no weight", nameof(linear));
        RequireFinite(w, name);
        var result = new Fp8Linear(w.shape[1], w.shape[0], linear.bias is not null, activationScaleUpperBound, w.device, w.dtype);
        using var noGrad = no_grad();
        using var quantized = Fp8Rowwise.Quantize(w);
        result.weight.copy_(quantized.Codes);
        result.weight_scale.copy_(quantized.Scales);
        if (linear.bias is { } b) result.bias!.copy_(b);
        return result;
    }

    /// <summary>The float32 weight the codes and scales stand for, [out, in].</summary>
    public Tensor DequantizedWeight() => Fp8Rowwise.Dequantize(weight, weight_scale);

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var tokens = x.reshape(-1, InFeatures);
        using var activations = Fp8Rowwise.Quantize(tokens, ActivationScaleUpperBound);
        var y = Fp8Rowwise.Matmul(activations.Codes, activations.Scales, weight, weight_scale);
        if (bias is not null) y = y + bias.to_type(ScalarType.Float32);
        long[] outputShape = [.. shape[..^1], OutFeatures];
        return y.to_type(x.dtype).reshape(outputShape).MoveToOuterDisposeScope();
    }

    /// <summary>NaN or infinity in a weight would become NaN codes or a NaN scale for its whole row: refuse it by name.</summary>
    private static void RequireFinite(Tensor weight, string name)
    {
        using var scope = NewDisposeScope();
        var bad = weight.isfinite().logical_not();
        if (!bad.any().item<bool>()) return;
        var rows = bad.any(1).nonzero();
        long row = rows[0, 0].item<long>();
        long count = bad.sum().item<long>();
        long column = bad[row].nonzero()[0, 0].item<long>();
        float value = weight[row, column].to_type(ScalarType.Float32).item<float>();
        throw new ArgumentException($"{name}.weight holds {count} non-finite value(s) (first: {value} at row {row}, column {column}); an FP8 scale cannot represent it");
    }
}
