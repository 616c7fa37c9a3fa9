using Llama.Core.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Quantization.Tests.Formats;

/// <summary>Row-wise scaled FP8 against PyTorch (tests/fixtures/fp8: W, X, their codes and scales, Y_dequant_fp32).</summary>
public sealed class RowwiseGemmTests
{
    [Theory]
    [InlineData("W", "Wq_bytes", "w_scale")]
    [InlineData("X", "Xq_bytes", "x_scale")]
    public void Rowwise_quantization_matches_pytorch_codes_and_scales(string input, string codesName, string scalesName)
    {
        using var matrix = TestFiles.Fp8Reference(input);
        using var expectedCodes = TestFiles.Fp8Reference(codesName);
        using var expectedScales = TestFiles.Fp8Reference(scalesName);
        using var quantized = Fp8Rowwise.Quantize(matrix);
        Assert.Equal(expectedScales.data<float>().ToArray(), quantized.Scales.squeeze(1).data<float>().ToArray());
        Assert.Equal(expectedCodes.data<byte>().ToArray(), quantized.Codes.bytes.ToArray());
    }

    [Fact]
    public void Rowwise_gemm_matches_the_dequantized_reference()
    {
        using var scope = NewDisposeScope();
        var y = Fp8Rowwise.Matmul(Codes("Xq_bytes"), TestFiles.Fp8Reference("x_scale").unsqueeze(1),
            Codes("Wq_bytes"), TestFiles.Fp8Reference("w_scale").unsqueeze(1));
        AssertRelativeError(TestFiles.Fp8Reference("Y_dequant_fp32"), y, 1e-5);
    }

    [Fact]
    public void Fp8_linear_computes_from_its_codes_what_the_reference_computes()
    {
        // The layer quantizes X per token itself (amax below the 1200 bound here), so this checks the whole forward pass.
        using var scope = NewDisposeScope();
        var w = TestFiles.Fp8Reference("W");
        using var linear = new Fp8Linear(w.shape[1], w.shape[0], hasBias: false, 1200f, CPU, ScalarType.Float32);
        using (no_grad())
        {
            linear.weight.copy_(Codes("Wq_bytes"));
            linear.weight_scale.copy_(TestFiles.Fp8Reference("w_scale").unsqueeze(1));
        }
        var x = TestFiles.Fp8Reference("X");
        Assert.True(x.abs().max().item<float>() < 1200f);
        AssertRelativeError(TestFiles.Fp8Reference("Y_dequant_fp32"), linear.forward(x), 1e-5);
        // And it is an approximation of the float32 product, about as close as PyTorch's (0.0365 relative).
        AssertRelativeError(TestFiles.Fp8Reference("Y_full_fp32"), linear.forward(x), 0.05);
    }

    [Fact]
    public void Activation_amax_above_the_bound_saturates_instead_of_stretching_the_scale()
    {
        using var scope = NewDisposeScope();
        var row = tensor(new float[] { 3000f, 1f, -0.5f, 0f }).unsqueeze(0);
        using var quantized = Fp8Rowwise.Quantize(row, amaxUpperBound: 1200f);
        Assert.Equal(1200f / 448f, quantized.Scales.item<float>());
        var back = Fp8Rowwise.Dequantize(quantized.Codes, quantized.Scales).squeeze(0).data<float>().ToArray();
        Assert.InRange(back[0], 1199.99f, 1200.01f); // saturated at 448 * scale
        Assert.InRange(back[1], 0.97f, 1.03f);
    }

    private static Tensor Codes(string name)
    {
        var bytes = TestFiles.Fp8Reference(name);
        var codes = empty(bytes.shape, Fp8Format.E4M3Fn.ScalarType());
        bytes.bytes.CopyTo(codes.bytes);
        return codes;
    }

    private static void AssertRelativeError(Tensor expected, Tensor actual, double tolerance)
    {
        double relative = ((actual - expected).norm().item<float>()) / expected.norm().item<float>();
        double worst = (actual - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(relative <= tolerance && worst <= tolerance, $"relative error {relative:E3} (norm), {worst:E3} (max element / max |Y|); tolerance {tolerance:E1}");
    }
}
