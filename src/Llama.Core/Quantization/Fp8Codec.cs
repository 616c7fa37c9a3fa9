using System.Numerics;
using System.Runtime.InteropServices;

namespace Llama.Core.Quantization;

/// <summary>
/// Bit-exact float32 ⇄ FP8 conversion: round to nearest, ties to even, saturating (a finite value beyond the
/// format's range becomes ±max, ±infinity too; NaN stays NaN). It reproduces PyTorch's casts after a clamp to
/// ±max (<c>x.clamp(-448, 448).to(torch.float8_e4m3fn)</c>), which is how quantizers use them.
/// </summary>
/// <remarks>
/// The algorithm is c10's (<c>c10/util/Float8_e4m3fn.h</c>, <c>Float8_e5m2.h</c>), written once for both formats
/// and over <see cref="Vector{T}"/> lanes: normal results round by adding half an FP8 ulp (minus one, plus the
/// kept mantissa's lowest bit, which makes ties go to even) to the float's bits; subnormal results round in the
/// FPU by adding a power of two whose float32 ulp is the FP8 subnormal step, then subtracting it again.
/// Decoding is a 256-entry table.
/// </remarks>
public static class Fp8Codec
{
    private static readonly float[] E4M3FnTable = BuildTable(Fp8Format.E4M3Fn);
    private static readonly float[] E5M2Table = BuildTable(Fp8Format.E5M2);

    /// <summary>The FP8 code of one value (saturating, round to nearest even).</summary>
    public static byte Encode(float value, Fp8Format format)
    {
        var p = Parameters.Of(format);
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint sign = bits & 0x8000_0000u;
        uint magnitude = bits ^ sign;
        if (magnitude > 0x7F80_0000u) return (byte)(0x7F | (sign >> 24)); // NaN
        if (magnitude > p.MaxBits) magnitude = p.MaxBits;                  // saturate (infinity included)
        uint code;
        if (magnitude < p.MinNormalBits)
        {
            float shifted = BitConverter.UInt32BitsToSingle(magnitude) + BitConverter.UInt32BitsToSingle(p.DenormalMagic);
            code = BitConverter.SingleToUInt32Bits(shifted) - p.DenormalMagic;
        }
        else
        {
            uint odd = (magnitude >> p.Shift) & 1u;
            code = (magnitude + p.RebiasPlusHalfUlp + odd) >> p.Shift;
        }
        return (byte)(code | (sign >> 24));
    }

    /// <summary>The float value of one FP8 code.</summary>
    public static float Decode(byte code, Fp8Format format) => TableOf(format)[code];

    /// <summary>Encodes <paramref name="source"/> into <paramref name="destination"/> (same length), several lanes at a time.</summary>
    public static void Encode(ReadOnlySpan<float> source, Span<byte> destination, Fp8Format format)
    {
        if (destination.Length != source.Length)
            throw new ArgumentException($"destination has {destination.Length} bytes for {source.Length} values", nameof(destination));
        var p = Parameters.Of(format);
        var bits = MemoryMarshal.Cast<float, uint>(source);
        int lanes = Vector<uint>.Count;
        int block = 4 * lanes; // four uint vectors narrow into one byte vector
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + block <= source.Length; i += block)
            {
                var a = EncodeLanes(new Vector<uint>(bits[i..]), p);
                var b = EncodeLanes(new Vector<uint>(bits[(i + lanes)..]), p);
                var c = EncodeLanes(new Vector<uint>(bits[(i + 2 * lanes)..]), p);
                var d = EncodeLanes(new Vector<uint>(bits[(i + 3 * lanes)..]), p);
                Vector.Narrow(Vector.Narrow(a, b), Vector.Narrow(c, d)).CopyTo(destination[i..]);
            }
        }
        for (; i < source.Length; i++) destination[i] = Encode(source[i], format);
    }

    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void Decode(ReadOnlySpan<byte> source, Span<float> destination, Fp8Format format)
    {
        if (destination.Length != source.Length)
            throw new ArgumentException($"destination has {destination.Length} values for {source.Length} bytes", nameof(destination));
        var table = TableOf(format);
        for (int i = 0; i < source.Length; i++) destination[i] = table[source[i]];
    }

    /// <summary>The branch-free form of <see cref="Encode(float, Fp8Format)"/>: both roundings computed, one selected.</summary>
    private static Vector<uint> EncodeLanes(Vector<uint> bits, Parameters p)
    {
        var sign = bits & new Vector<uint>(0x8000_0000u);
        var magnitude = bits ^ sign;
        var isNaN = Vector.GreaterThan(magnitude, new Vector<uint>(0x7F80_0000u));
        magnitude = Vector.Min(magnitude, new Vector<uint>(p.MaxBits));

        var magic = new Vector<uint>(p.DenormalMagic);
        var denormal = Vector.AsVectorUInt32(Vector.AsVectorSingle(magnitude) + Vector.AsVectorSingle(magic)) - magic;
        var odd = Vector.ShiftRightLogical(magnitude, p.Shift) & Vector<uint>.One;
        var normal = Vector.ShiftRightLogical(magnitude + new Vector<uint>(p.RebiasPlusHalfUlp) + odd, p.Shift);

        var code = Vector.ConditionalSelect(Vector.LessThan(magnitude, new Vector<uint>(p.MinNormalBits)), denormal, normal);
        code = Vector.ConditionalSelect(isNaN, new Vector<uint>(0x7Fu), code);
        return code | Vector.ShiftRightLogical(sign, 24);
    }

    private static float[] TableOf(Fp8Format format) => format switch
    {
        Fp8Format.E4M3Fn => E4M3FnTable,
        Fp8Format.E5M2 => E5M2Table,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an FP8 format"),
    };

    /// <summary>Every code's value from the format's definition (sign, biased exponent, mantissa).</summary>
    private static float[] BuildTable(Fp8Format format)
    {
        int m = format.MantissaBits(), bias = format.ExponentBias();
        int exponentMax = (1 << (7 - m)) - 1;
        var table = new float[256];
        for (int code = 0; code < 256; code++)
        {
            int exponent = (code >> m) & exponentMax, mantissa = code & ((1 << m) - 1);
            float magnitude;
            if (exponent == 0) magnitude = MathF.ScaleB(mantissa, 1 - bias - m);
            else if (format == Fp8Format.E4M3Fn && exponent == exponentMax && mantissa == (1 << m) - 1) magnitude = float.NaN;
            else if (format == Fp8Format.E5M2 && exponent == exponentMax) magnitude = mantissa == 0 ? float.PositiveInfinity : float.NaN;
            else magnitude = MathF.ScaleB((1 << m) + mantissa, exponent - bias - m);
            table[code] = (code & 0x80) != 0 ? -magnitude : magnitude;
        }
        return table;
    }

    /// <summary>The float32 bit patterns that drive the encoding of one format.</summary>
    private readonly record struct Parameters(int Shift, uint MaxBits, uint MinNormalBits, uint DenormalMagic, uint RebiasPlusHalfUlp)
    {
        private static readonly Parameters E4M3Fn = Create(Fp8Format.E4M3Fn);
        private static readonly Parameters E5M2 = Create(Fp8Format.E5M2);

        public static Parameters Of(Fp8Format format) => format == Fp8Format.E4M3Fn ? E4M3Fn : format == Fp8Format.E5M2 ? E5M2
            : throw new ArgumentOutOfRangeException(nameof(format), format, "not an FP8 format");

        private static Parameters Create(Fp8Format format)
        {
            int m = format.MantissaBits(), bias = format.ExponentBias();
            int shift = 23 - m;
            return new Parameters(
                Shift: shift,
                MaxBits: BitConverter.SingleToUInt32Bits(format.MaxFinite()),
                // Smallest normal FP8 value, 2^(1 - bias).
                MinNormalBits: (uint)(127 + 1 - bias) << 23,
                // 2^k whose float32 ulp, 2^(k - 23), is the FP8 subnormal step 2^(1 - bias - m).
                DenormalMagic: (uint)(127 + 1 - bias - m + 23) << 23,
                // Moves the exponent from bias 127 to the FP8 bias and adds half an FP8 ulp minus one.
                RebiasPlusHalfUlp: unchecked((uint)((bias - 127) << 23) + (1u << (shift - 1)) - 1u));
        }
    }
}
