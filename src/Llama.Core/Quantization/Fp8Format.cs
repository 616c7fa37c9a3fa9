namespace Llama.Core.Quantization;

/// <summary>The two 8-bit float formats of the OCP FP8 specification (arXiv 2209.05433), as PyTorch names them.</summary>
public enum Fp8Format
{
    /// <summary><c>float8_e4m3fn</c>: 4 exponent bits (bias 7), 3 mantissa bits, max ±448, NaN = S.1111.111, no infinities.</summary>
    E4M3Fn,

    /// <summary><c>float8_e5m2</c>: 5 exponent bits (bias 15), 2 mantissa bits, max ±57344, IEEE-style infinities and NaNs.</summary>
    E5M2,
}

/// <summary>The numbers of each <see cref="Fp8Format"/>.</summary>
public static class Fp8Formats
{
    /// <summary>The largest finite magnitude: 448 for E4M3 (fn), 57344 for E5M2.</summary>
    public static float MaxFinite(this Fp8Format format) => format switch
    {
        Fp8Format.E4M3Fn => 448f,
        Fp8Format.E5M2 => 57344f,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an FP8 format"),
    };

    internal static int MantissaBits(this Fp8Format format) => format == Fp8Format.E4M3Fn ? 3 : 2;

    internal static int ExponentBias(this Fp8Format format) => format == Fp8Format.E4M3Fn ? 7 : 15;
}
