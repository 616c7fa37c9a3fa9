using static TorchSharp.torch;

namespace Llama.Core.Quantization;

/// <summary>A matrix in row-wise scaled FP8: <c>value[r, c] ≈ decode(Codes[r, c]) * Scales[r, 0]</c>.</summary>
/// <param name="Codes">FP8 codes [rows, columns].</param>
/// <param name="Scales">float32 [rows, 1]: each row's amax / 448 (the layout of fbgemm's <c>weight_scale</c>).</param>
public sealed record Fp8RowwiseTensor(Tensor Codes, Tensor Scales) : IDisposable
{
    public void Dispose()
    {
        Codes.Dispose();
        Scales.Dispose();
    }
}

/// <summary>
/// Row-wise FP8 scaling as Llama 3 serves in FP8 (the paper, section 6.2; fbgemm's <c>quantize_fp8_per_row</c>):
/// each row (an output channel of a weight, or one token's activations) gets its own scale, so that its largest
/// magnitude lands on the format's maximum. Activations bound that amax (the paper's 1200): a token's values beyond
/// the bound saturate instead of stretching its scale and flushing its small values to zero.
/// </summary>
public static class Fp8Rowwise
{
    /// <summary>
    /// A floor on a row's amax: an all-zero row gets a tiny positive scale instead of a division by zero (its
    /// codes are all zero either way). The value is fbgemm's reference EPS. (fbgemm's CUDA kernel floors activation
    /// amax higher, at 1/512, so a token whose values are all below that is resolved more finely here than there.)
    /// </summary>
    public const float MinimumAmax = 1e-12f;

    /// <summary>
    /// Quantizes the rows of <paramref name="matrix"/> [rows, columns] (any float dtype, any device): scale =
    /// clamp(amax(|row|), <see cref="MinimumAmax"/>, <paramref name="amaxUpperBound"/>) / 448, codes = e4m3fn(row / scale)
    /// with saturation. Non-finite values give non-finite scales or NaN codes; callers that store weights check first.
    /// </summary>
    public static Fp8RowwiseTensor Quantize(Tensor matrix, float? amaxUpperBound = null, Fp8Format format = Fp8Format.E4M3Fn)
    {
        if (matrix.dim() != 2) throw new ArgumentException($"row-wise quantization needs a matrix; got shape [{string.Join(", ", matrix.shape)}]", nameof(matrix));
        if (amaxUpperBound is { } ub && !(ub > 0)) throw new ArgumentOutOfRangeException(nameof(amaxUpperBound), ub, "the activation scale upper bound must be positive");
        using var scope = NewDisposeScope();
        var values = matrix.to_type(ScalarType.Float32);
        var amax = values.abs().amax([1], keepdim: true).clamp_min(MinimumAmax);
        if (amaxUpperBound is { } bound) amax = amax.clamp_max(bound);
        var scales = amax / format.MaxFinite();
        // value / scale as the reference does it ((W / w_scale).to(float8)), not value * (448 / amax): the two round differently.
        var codes = Fp8Tensors.Encode(values / scales, format);
        return new Fp8RowwiseTensor(codes.MoveToOuterDisposeScope(), scales.MoveToOuterDisposeScope());
    }

    /// <summary>decode(codes) * scales: the float32 matrix the FP8 one stands for.</summary>
    public static Tensor Dequantize(Tensor codes, Tensor scales)
    {
        using var decoded = Fp8Tensors.Decode(codes);
        return decoded * scales.to_type(ScalarType.Float32);
    }

    /// <summary>
    /// <c>Y = (Xq · x_scale) @ (Wq · w_scale)ᵀ</c> in float32, what an FP8 GEMM with row-wise scales computes (up to
    /// its accumulation order): x [tokens, in], w [out, in], result [tokens, out]. The scales are applied to the
    /// product rather than to each operand (the same numbers, and no scaled copy of the weight).
    /// </summary>
    /// <remarks>
    /// On a CUDA build this is where an FP8 tensor-core GEMM goes: PyTorch's <c>torch._scaled_mm(xq, wq.t(),
    /// scale_a=x_scale [tokens,1], scale_b=w_scale.t() [1,out], out_dtype=bfloat16)</c> (row-wise scaling on SM90+) or
    /// fbgemm's <c>f8f8bf16_rowwise</c>, both reading the same codes and scales without dequantizing. TorchSharp 0.107
    /// does not bind <c>_scaled_mm</c>, so every device takes this dequantize-and-matmul path today.
    /// </remarks>
    public static Tensor Matmul(Tensor xCodes, Tensor xScales, Tensor wCodes, Tensor wScales)
    {
        using var scope = NewDisposeScope();
        var product = Fp8Tensors.Decode(xCodes).matmul(Fp8Tensors.Decode(wCodes).t());
        var y = product * xScales.to_type(ScalarType.Float32) * wScales.to_type(ScalarType.Float32).t();
        return y.MoveToOuterDisposeScope();
    }
}
