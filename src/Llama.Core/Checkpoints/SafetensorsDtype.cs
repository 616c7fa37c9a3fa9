using TorchSharp;

namespace Llama.Core.Checkpoints;

/// <summary>
/// Element types a safetensors file can declare (the <c>dtype</c> strings of the header). All data is little-endian.
/// </summary>
/// <remarks>
/// The declaration order is the order of the reference implementation's <c>Dtype</c> enum (huggingface/safetensors,
/// <c>tensor.rs</c>): increasing alignment. Its writer sorts tensors by this order, descending, then by name, and
/// <see cref="SafetensorsWriter"/> does the same so files come out byte-identical to the Python library's.
/// </remarks>
public enum SafetensorsDtype
{
    /// <summary>Boolean, one byte per element.</summary>
    BOOL,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>FP8 with 5 exponent and 2 mantissa bits (OCP / arXiv 2209.05433).</summary>
    F8_E5M2,
    /// <summary>FP8 with 4 exponent and 3 mantissa bits, no infinities (PyTorch <c>float8_e4m3fn</c>).</summary>
    F8_E4M3,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>IEEE half precision.</summary>
    F16,
    /// <summary>bfloat16.</summary>
    BF16,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>IEEE single precision.</summary>
    F32,
    /// <summary>IEEE double precision.</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
}

/// <summary>Sizes, header names and TorchSharp mappings of <see cref="SafetensorsDtype"/>.</summary>
public static class SafetensorsDtypes
{
    // TorchSharp 0.107 has no named ScalarType for these; libtorch's own codes (c10/core/ScalarType.h) work by cast.
    internal const torch.ScalarType Float8E5M2 = (torch.ScalarType)23;
    internal const torch.ScalarType Float8E4M3Fn = (torch.ScalarType)24;
    internal const torch.ScalarType UInt16 = (torch.ScalarType)27;
    internal const torch.ScalarType UInt32 = (torch.ScalarType)28;
    internal const torch.ScalarType UInt64 = (torch.ScalarType)29;

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.BOOL or SafetensorsDtype.U8 or SafetensorsDtype.I8
            or SafetensorsDtype.F8_E5M2 or SafetensorsDtype.F8_E4M3 => 1,
        SafetensorsDtype.I16 or SafetensorsDtype.U16 or SafetensorsDtype.F16 or SafetensorsDtype.BF16 => 2,
        SafetensorsDtype.I32 or SafetensorsDtype.U32 or SafetensorsDtype.F32 => 4,
        SafetensorsDtype.F64 or SafetensorsDtype.I64 or SafetensorsDtype.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype"),
    };

    /// <summary>The string the header uses for this dtype (e.g. <c>"BF16"</c>, <c>"F8_E4M3"</c>).</summary>
    public static string HeaderName(this SafetensorsDtype dtype) =>
        Enum.IsDefined(dtype) ? dtype.ToString() : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype");

    /// <summary>Parses a header dtype string; case-sensitive like the reference implementation.</summary>
    public static bool TryParseHeaderName(string headerName, out SafetensorsDtype dtype)
    {
        // Enum.TryParse would also accept numbers and other casings, which no valid header contains.
        foreach (var candidate in Enum.GetValues<SafetensorsDtype>())
        {
            if (string.Equals(candidate.ToString(), headerName, StringComparison.Ordinal))
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>The TorchSharp element type holding this dtype bit for bit.</summary>
    public static torch.ScalarType ToScalarType(this SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.BOOL => torch.ScalarType.Bool,
        SafetensorsDtype.U8 => torch.ScalarType.Byte,
        SafetensorsDtype.I8 => torch.ScalarType.Int8,
        SafetensorsDtype.F8_E5M2 => Float8E5M2,
        SafetensorsDtype.F8_E4M3 => Float8E4M3Fn,
        SafetensorsDtype.I16 => torch.ScalarType.Int16,
        SafetensorsDtype.U16 => UInt16,
        SafetensorsDtype.F16 => torch.ScalarType.Float16,
        SafetensorsDtype.BF16 => torch.ScalarType.BFloat16,
        SafetensorsDtype.I32 => torch.ScalarType.Int32,
        SafetensorsDtype.U32 => UInt32,
        SafetensorsDtype.F32 => torch.ScalarType.Float32,
        SafetensorsDtype.F64 => torch.ScalarType.Float64,
        SafetensorsDtype.I64 => torch.ScalarType.Int64,
        SafetensorsDtype.U64 => UInt64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype"),
    };

    /// <summary>The safetensors dtype for a TorchSharp element type, or false for types safetensors cannot hold (complex, quantized).</summary>
    public static bool TryFromScalarType(torch.ScalarType scalarType, out SafetensorsDtype dtype)
    {
        foreach (var candidate in Enum.GetValues<SafetensorsDtype>())
        {
            if (candidate.ToScalarType() == scalarType)
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>The safetensors dtype for a TorchSharp element type.</summary>
    /// <exception cref="ArgumentException">The type has no safetensors equivalent.</exception>
    public static SafetensorsDtype FromScalarType(torch.ScalarType scalarType) =>
        TryFromScalarType(scalarType, out var dtype)
            ? dtype
            : throw new ArgumentException($"torch dtype {scalarType} ({(int)scalarType}) has no safetensors equivalent", nameof(scalarType));
}
