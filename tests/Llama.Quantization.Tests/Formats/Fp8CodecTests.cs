using Llama.Core.Quantization;
using static TorchSharp.torch;

namespace Llama.Quantization.Tests.Formats;

/// <summary>The codec against PyTorch's own float8 casts (tests/fixtures/fp8, all 256 codes of each format).</summary>
public sealed class Fp8CodecTests
{
    [Theory]
    [InlineData(Fp8Format.E4M3Fn, "e4m3fn_bytes")]
    [InlineData(Fp8Format.E5M2, "e5m2_bytes")]
    public void Encoding_matches_pytorch_bit_for_bit(Fp8Format format, string expectedName)
    {
        using var values = TestFiles.Fp8Reference("values");
        using var expected = TestFiles.Fp8Reference(expectedName);
        float[] input = values.data<float>().ToArray();
        byte[] want = expected.data<byte>().ToArray();

        var vectorized = new byte[input.Length];
        Fp8Codec.Encode(input, vectorized, format);
        var scalar = input.Select(v => Fp8Codec.Encode(v, format)).ToArray();

        AssertSameCodes(want, vectorized, input, "vectorized");
        AssertSameCodes(want, scalar, input, "scalar");
    }

    [Theory]
    [InlineData(Fp8Format.E4M3Fn, "e4m3fn_bytes")]
    [InlineData(Fp8Format.E5M2, "e5m2_bytes")]
    public void Tensor_encoding_matches_pytorch_bit_for_bit(Fp8Format format, string expectedName)
    {
        using var values = TestFiles.Fp8Reference("values");
        using var expected = TestFiles.Fp8Reference(expectedName);
        using var codes = Fp8Tensors.Encode(values, format);
        Assert.Equal(format.ScalarType(), codes.dtype);
        AssertSameCodes(expected.data<byte>().ToArray(), codes.bytes.ToArray(), values.data<float>().ToArray(), "tensor");
    }

    [Theory]
    [InlineData(Fp8Format.E4M3Fn, "e4m3fn_bytes", "e4m3fn_decoded")]
    [InlineData(Fp8Format.E5M2, "e5m2_bytes", "e5m2_decoded")]
    public void The_device_path_through_libtorch_matches_pytorch_too(Fp8Format format, string bytesName, string decodedName)
    {
        // What a CUDA tensor takes, run here on the CPU: libtorch's CPU and CUDA casts share c10's conversion functions.
        using var values = TestFiles.Fp8Reference("values");
        using var expected = TestFiles.Fp8Reference(bytesName);
        using var codes = Fp8Tensors.EncodeWithLibtorch(values, format);
        AssertSameCodes(expected.data<byte>().ToArray(), codes.bytes.ToArray(), values.data<float>().ToArray(), "libtorch");
        using var decoded = Fp8Tensors.DecodeWithLibtorch(codes);
        using var expectedValues = TestFiles.Fp8Reference(decodedName);
        Assert.True(decoded.allclose(expectedValues, rtol: 0, atol: 0, equal_nan: true));
    }

    [Theory]
    [InlineData(Fp8Format.E4M3Fn, "e4m3fn_all_codes_decoded")]
    [InlineData(Fp8Format.E5M2, "e5m2_all_codes_decoded")]
    public void Every_code_decodes_as_pytorch_decodes_it(Fp8Format format, string expectedName)
    {
        using var expected = TestFiles.Fp8Reference(expectedName);
        float[] want = expected.data<float>().ToArray();
        Assert.Equal(256, want.Length);
        var codes = Enumerable.Range(0, 256).Select(c => (byte)c).ToArray();
        var decoded = new float[256];
        Fp8Codec.Decode(codes, decoded, format);
        for (int code = 0; code < 256; code++)
            Assert.True(BitConverter.SingleToUInt32Bits(want[code]) == BitConverter.SingleToUInt32Bits(decoded[code]) || (float.IsNaN(want[code]) && float.IsNaN(decoded[code])),
                $"code 0x{code:X2}: PyTorch {want[code]}, ours {decoded[code]}");
    }

    [Theory]
    [InlineData(Fp8Format.E4M3Fn, "e4m3fn_bytes", "e4m3fn_decoded")]
    [InlineData(Fp8Format.E5M2, "e5m2_bytes", "e5m2_decoded")]
    public void Tensor_decoding_matches_pytorch(Fp8Format format, string bytesName, string decodedName)
    {
        using var bytes = TestFiles.Fp8Reference(bytesName);
        using var expected = TestFiles.Fp8Reference(decodedName);
        using var codes = empty(bytes.shape, format.ScalarType());
        bytes.bytes.CopyTo(codes.bytes);
        using var decoded = Fp8Tensors.Decode(codes);
        var want = expected.data<float>().ToArray();
        var got = decoded.data<float>().ToArray();
        for (int i = 0; i < want.Length; i++)
            Assert.True(want[i].Equals(got[i]) || (float.IsNaN(want[i]) && float.IsNaN(got[i])), $"element {i}: PyTorch {want[i]}, ours {got[i]}");
    }

    [Theory]
    // Hand-computed: 448 = 1.75 * 2^8 is E4M3's largest (0x7E); beyond it saturates; 57344 = 1.75 * 2^15 is E5M2's (0x7B).
    [InlineData(Fp8Format.E4M3Fn, 1e6f, 0x7E)]
    [InlineData(Fp8Format.E4M3Fn, float.NegativeInfinity, 0xFE)]
    [InlineData(Fp8Format.E4M3Fn, 464f, 0x7E)]            // halfway between 448 and the (NaN) next code: saturates
    [InlineData(Fp8Format.E4M3Fn, 0.001953125f, 0x01)]    // 2^-9, the smallest subnormal
    [InlineData(Fp8Format.E4M3Fn, 0.0009765625f, 0x00)]   // 2^-10: a tie between 0 and 2^-9 goes to even (0)
    [InlineData(Fp8Format.E4M3Fn, 1.0625f, 0x38)]         // tie between 1 (0x38) and 1.125 (0x39): even mantissa
    [InlineData(Fp8Format.E4M3Fn, 1.1875f, 0x3A)]         // tie between 1.125 (0x39) and 1.25 (0x3A): even mantissa
    [InlineData(Fp8Format.E5M2, float.PositiveInfinity, 0x7B)]
    [InlineData(Fp8Format.E5M2, -1e9f, 0xFB)]
    public void Saturates_and_rounds_ties_to_even(Fp8Format format, float value, int expected)
    {
        Assert.Equal((byte)expected, Fp8Codec.Encode(value, format));
        var vector = new byte[64];
        Fp8Codec.Encode(Enumerable.Repeat(value, 64).ToArray(), vector, format);
        Assert.All(vector, b => Assert.Equal((byte)expected, b));
    }

    [Fact]
    public void NaN_stays_NaN()
    {
        Assert.True(float.IsNaN(Fp8Codec.Decode(Fp8Codec.Encode(float.NaN, Fp8Format.E4M3Fn), Fp8Format.E4M3Fn)));
        Assert.True(float.IsNaN(Fp8Codec.Decode(Fp8Codec.Encode(float.NaN, Fp8Format.E5M2), Fp8Format.E5M2)));
    }

    private static void AssertSameCodes(byte[] expected, byte[] actual, float[] input, string path)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i], $"{path}: value {input[i]:R} (index {i}): PyTorch 0x{expected[i]:X2}, ours 0x{actual[i]:X2}");
    }
}
