using System.Runtime.InteropServices;

namespace Llama.Interop.Gguf;

/// <summary>
/// Encoders for the tensor types we export, bit-compatible with ggml's reference ones (ggml-quants.c):
/// F16 is IEEE half with round-to-nearest-even; Q8_0 cuts each row into blocks of 32 values and stores
/// d = max|x| / 127 as f16, then q = round(x / d) as int8 (round half away from zero, like C's roundf).
/// </summary>
public static class GgmlEncoding
{
    public static byte[] EncodeF32(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    public static byte[] EncodeF16(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        var halves = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan());
        for (int i = 0; i < values.Length; i++) halves[i] = (Half)values[i];
        return bytes;
    }

    public static float[] DecodeF16(ReadOnlySpan<byte> bytes)
    {
        var halves = MemoryMarshal.Cast<byte, Half>(bytes);
        var values = new float[halves.Length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)halves[i];
        return values;
    }

    /// <summary>Q8_0 of <paramref name="values"/>, whose length must be a multiple of 32 (rows are whole blocks).</summary>
    public static byte[] EncodeQ8_0(ReadOnlySpan<float> values)
    {
        const int n = GgmlTypeLayout.Q8_0BlockSize;
        if (values.Length % n != 0) throw new GgufFormatException($"Q8_0 needs a multiple of {n} values; got {values.Length}");
        var bytes = new byte[values.Length / n * GgmlTypeLayout.Q8_0BlockBytes];
        for (int block = 0; block < values.Length / n; block++)
        {
            var x = values.Slice(block * n, n);
            float amax = 0;
            foreach (var v in x) amax = Math.Max(amax, Math.Abs(v));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            var output = bytes.AsSpan(block * GgmlTypeLayout.Q8_0BlockBytes, GgmlTypeLayout.Q8_0BlockBytes);
            MemoryMarshal.Write(output, (Half)d);
            for (int i = 0; i < n; i++)
                output[2 + i] = (byte)(sbyte)MathF.Round(x[i] * id, MidpointRounding.AwayFromZero);
        }
        return bytes;
    }

    public static float[] DecodeQ8_0(ReadOnlySpan<byte> bytes)
    {
        const int n = GgmlTypeLayout.Q8_0BlockSize;
        int blocks = bytes.Length / GgmlTypeLayout.Q8_0BlockBytes;
        var values = new float[blocks * n];
        for (int block = 0; block < blocks; block++)
        {
            var input = bytes.Slice(block * GgmlTypeLayout.Q8_0BlockBytes, GgmlTypeLayout.Q8_0BlockBytes);
            float d = (float)MemoryMarshal.Read<Half>(input);
            for (int i = 0; i < n; i++) values[block * n + i] = d * (sbyte)input[2 + i];
        }
        return values;
    }
}
