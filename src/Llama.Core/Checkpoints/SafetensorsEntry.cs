namespace Llama.Core.Checkpoints;

/// <summary>
/// A tensor given as raw little-endian bytes with a declared dtype and shape, for writing data that has no
/// TorchSharp tensor behind it (e.g. FP8 codes a quantizer computed itself).
/// </summary>
/// <param name="Name">Tensor name in the file.</param>
/// <param name="Dtype">Element type the bytes encode.</param>
/// <param name="Shape">Shape; element count times the dtype size must equal the byte count.</param>
/// <param name="Data">The bytes, row-major.</param>
public sealed record SafetensorsEntry(string Name, SafetensorsDtype Dtype, long[] Shape, ReadOnlyMemory<byte> Data);
