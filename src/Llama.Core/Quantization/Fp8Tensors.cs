using System.Runtime.InteropServices;
using Llama.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Core.Quantization;

/// <summary>
/// FP8 tensors: libtorch's <c>float8_e4m3fn</c> / <c>float8_e5m2</c> element types, which TorchSharp 0.107 has no
/// names for (codes 24 and 23). Encoding and decoding of CPU tensors run <see cref="Fp8Codec"/> over the tensors'
/// memory; on other devices libtorch's own casts do the same arithmetic (PyTorch's, after the clamp that makes it saturate).
/// </summary>
public static class Fp8Tensors
{
    /// <summary>libtorch's element type for <paramref name="format"/>.</summary>
    public static ScalarType ScalarType(this Fp8Format format) => format switch
    {
        Fp8Format.E4M3Fn => SafetensorsDtypes.Float8E4M3Fn,
        Fp8Format.E5M2 => SafetensorsDtypes.Float8E5M2,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an FP8 format"),
    };

    /// <summary>True for libtorch's two FP8 element types.</summary>
    public static bool IsFp8(ScalarType type) => type == SafetensorsDtypes.Float8E4M3Fn || type == SafetensorsDtypes.Float8E5M2;

    /// <summary>The FP8 codes of <paramref name="values"/> (any float dtype, any device), saturating, round to nearest even.</summary>
    public static Tensor Encode(Tensor values, Fp8Format format = Fp8Format.E4M3Fn)
    {
        if (values.device_type != DeviceType.CPU) return EncodeWithLibtorch(values, format);
        using var source = values.to_type(torch.ScalarType.Float32).contiguous();
        var codes = empty(values.shape, format.ScalarType(), values.device);
        ForEachSlice(source, codes, (floats, bytes) => Fp8Codec.Encode(MemoryMarshal.Cast<byte, float>(floats), bytes, format));
        return codes;
    }

    /// <summary>The float32 values of FP8 <paramref name="codes"/>.</summary>
    public static Tensor Decode(Tensor codes)
    {
        var format = FormatOf(codes.dtype);
        if (codes.device_type != DeviceType.CPU) return DecodeWithLibtorch(codes);
        using var source = codes.contiguous();
        var values = empty(codes.shape, torch.ScalarType.Float32, codes.device);
        ForEachSlice(values, source, (floats, bytes) => Fp8Codec.Decode(bytes, MemoryMarshal.Cast<byte, float>(floats), format));
        return values;
    }

    /// <summary>The device path: libtorch's cast (round to nearest even) after a clamp, which makes it saturate.</summary>
    internal static Tensor EncodeWithLibtorch(Tensor values, Fp8Format format)
    {
        float max = format.MaxFinite();
        using var clamped = values.to_type(torch.ScalarType.Float32).clamp(-max, max);
        return clamped.to_type(format.ScalarType());
    }

    internal static Tensor DecodeWithLibtorch(Tensor codes) => codes.to_type(torch.ScalarType.Float32);

    private delegate void SliceAction(Span<byte> floats, Span<byte> codes);

    /// <summary>
    /// Walks a float32 tensor and an FP8 tensor of the same shape (contiguous, CPU) in matching slices: a span
    /// cannot cover more than 2 GiB, and one weight of a large model can be bigger.
    /// </summary>
    private static void ForEachSlice(Tensor floats, Tensor codes, SliceAction action)
    {
        const long sliceElements = 1L << 28;
        long count = floats.NumberOfElements;
        if (count == 0) return;
        using var flatFloats = floats.view(-1);
        using var flatCodes = codes.view(-1);
        for (long start = 0; start < count; start += sliceElements)
        {
            long length = Math.Min(sliceElements, count - start);
            using var f = flatFloats.narrow(0, start, length);
            using var c = flatCodes.narrow(0, start, length);
            action(f.bytes, c.bytes);
        }
    }

    /// <summary>The format of an FP8 element type.</summary>
    public static Fp8Format FormatOf(ScalarType type) =>
        type == SafetensorsDtypes.Float8E4M3Fn ? Fp8Format.E4M3Fn
        : type == SafetensorsDtypes.Float8E5M2 ? Fp8Format.E5M2
        : throw new ArgumentException($"dtype {type} ({(int)type}) is not an FP8 type", nameof(type));
}
