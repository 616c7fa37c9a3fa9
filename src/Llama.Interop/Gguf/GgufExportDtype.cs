namespace Llama.Interop.Gguf;

/// <summary>How <c>llama export gguf --dtype</c> stores the matrices; vectors (norms, RoPE factors) stay float32 in every case.</summary>
public enum GgufExportDtype
{
    F32,
    F16,
    /// <summary>8-bit blocks of 32 with an f16 scale per block; a matrix whose rows are not whole blocks falls back to F16.</summary>
    Q8_0,
}

public static class GgufExportDtypes
{
    public static IReadOnlyList<string> Names { get; } = ["f32", "f16", "q8_0"];

    public static GgufExportDtype Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "f32" => GgufExportDtype.F32,
        "f16" => GgufExportDtype.F16,
        "q8_0" => GgufExportDtype.Q8_0,
        _ => throw new ArgumentException($"--dtype '{text}' is not one of {string.Join(", ", Names)}"),
    };

    /// <summary><c>general.file_type</c> (llama.h <c>enum llama_ftype</c>): ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q8_0 = 7.</summary>
    internal static uint FileType(this GgufExportDtype dtype) => dtype switch
    {
        GgufExportDtype.F32 => 0,
        GgufExportDtype.F16 => 1,
        _ => 7,
    };

    /// <summary>The ggml type of a tensor with <paramref name="dimensions"/> (ggml order) under this export dtype.</summary>
    internal static GgmlType TensorType(this GgufExportDtype dtype, IReadOnlyList<long> dimensions) => dimensions.Count < 2 ? GgmlType.F32 : dtype switch
    {
        GgufExportDtype.F32 => GgmlType.F32,
        GgufExportDtype.F16 => GgmlType.F16,
        _ => dimensions[0] % GgmlTypeLayout.Q8_0BlockSize == 0 ? GgmlType.Q8_0 : GgmlType.F16,
    };
}
