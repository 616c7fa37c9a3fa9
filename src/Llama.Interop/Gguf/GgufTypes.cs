namespace Llama.Interop.Gguf;

/// <summary>Metadata value types of GGUF (ggml <c>gguf.h</c> <c>enum gguf_type</c>; the numbers are the file's).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>The tensor element types we write (ggml <c>enum ggml_type</c>; the numbers are the file's).</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
}

/// <summary>One metadata value: its GGUF type and the CLR value (string, numbers, bool, or a <see cref="GgufArray"/>).</summary>
public sealed record GgufValue(GgufValueType Type, object Value)
{
    public static GgufValue Of(string value) => new(GgufValueType.String, value);
    public static GgufValue Of(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Of(int value) => new(GgufValueType.Int32, value);
    public static GgufValue Of(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Of(bool value) => new(GgufValueType.Bool, value);
    public static GgufValue Strings(IReadOnlyList<string> values) => new(GgufValueType.Array, new GgufArray(GgufValueType.String, values.Cast<object>().ToArray()));
    public static GgufValue Int32s(IReadOnlyList<int> values) => new(GgufValueType.Array, new GgufArray(GgufValueType.Int32, values.Cast<object>().ToArray()));
}

/// <summary>A metadata array: GGUF arrays are homogeneous (one element type) and may not nest strings of arrays here.</summary>
public sealed record GgufArray(GgufValueType ElementType, IReadOnlyList<object> Items);

/// <summary>
/// A tensor's directory entry. <paramref name="Dimensions"/> are in ggml order, innermost (contiguous) first:
/// the reverse of the PyTorch shape, so a linear weight [out, in] is {in, out}.
/// </summary>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, GgmlType Type, ulong Offset)
{
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);
    public long ByteCount => GgmlTypeLayout.ByteCount(Type, Dimensions);
}

/// <summary>Block sizes of the ggml types (ggml.c <c>type_traits</c>): Q8_0 packs 32 values as an f16 scale and 32 int8.</summary>
public static class GgmlTypeLayout
{
    public const int Q8_0BlockSize = 32;
    public const int Q8_0BlockBytes = 2 + Q8_0BlockSize;

    public static long ByteCount(GgmlType type, IReadOnlyList<long> dimensions)
    {
        long elements = dimensions.Aggregate(1L, (a, d) => a * d);
        return type switch
        {
            GgmlType.F32 => elements * 4,
            GgmlType.F16 => elements * 2,
            GgmlType.Q8_0 => dimensions[0] % Q8_0BlockSize == 0
                ? elements / Q8_0BlockSize * Q8_0BlockBytes
                : throw new GgufFormatException($"a Q8_0 tensor's rows must be a multiple of {Q8_0BlockSize} long; got {dimensions[0]}"),
            _ => throw new GgufFormatException($"ggml type {(uint)type} is not supported"),
        };
    }
}

/// <summary>A GGUF file that cannot be written or read as given; the message names what and where.</summary>
public sealed class GgufFormatException(string message, Exception? inner = null) : Exception(message, inner);
