using System.Runtime.InteropServices;
using Llama.Interop.Gguf;

namespace Llama.Interop.Tests.Gguf;

public sealed class GgmlEncodingTests
{
    [Fact]
    public void Q8_0_block_holds_the_f16_scale_and_rounded_quotients()
    {
        // amax 63.5 -> d = 0.5 exactly (f16 too), 1/d = 2; q = roundf(2x), halves away from zero, worked by hand.
        float[] x = new float[32];
        x[0] = 63.5f; x[1] = -31.75f; x[2] = 0.25f; x[3] = 0.75f; x[31] = -63.5f;
        byte[] block = GgmlEncoding.EncodeQ8_0(x);
        Assert.Equal(34, block.Length);
        Assert.Equal((Half)0.5f, MemoryMarshal.Read<Half>(block));
        sbyte[] q = block.Skip(2).Select(b => (sbyte)b).ToArray();
        Assert.Equal(127, q[0]);
        Assert.Equal(-64, q[1]);   // -63.5 -> -64
        Assert.Equal(1, q[2]);     // 0.5 -> 1
        Assert.Equal(2, q[3]);     // 1.5 -> 2
        Assert.Equal(-127, q[31]);
        Assert.All(q[4..31], v => Assert.Equal(0, v));
    }

    [Fact]
    public void Q8_0_of_zeros_has_zero_scale_and_decodes_to_zeros()
    {
        byte[] block = GgmlEncoding.EncodeQ8_0(new float[32]);
        Assert.All(block, b => Assert.Equal(0, b));
        Assert.All(GgmlEncoding.DecodeQ8_0(block), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Q8_0_round_trip_error_is_within_half_a_step_per_block()
    {
        var random = new Random(3);
        float[] x = Enumerable.Range(0, 256).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        float[] y = GgmlEncoding.DecodeQ8_0(GgmlEncoding.EncodeQ8_0(x));
        for (int b = 0; b < 8; b++)
        {
            float d = x.Skip(b * 32).Take(32).Max(Math.Abs) / 127;
            for (int i = b * 32; i < b * 32 + 32; i++) Assert.True(Math.Abs(x[i] - y[i]) <= d * (0.5f + 127 * MathF.Pow(2, -11)), $"value {i}"); // half a step, plus the f16 rounding of d
        }
    }

    [Fact]
    public void F16_uses_ieee_half_bit_patterns()
    {
        byte[] bytes = GgmlEncoding.EncodeF16([1f, -2f, 65504f]);
        Assert.Equal(new byte[] { 0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B }, bytes);
    }
}
