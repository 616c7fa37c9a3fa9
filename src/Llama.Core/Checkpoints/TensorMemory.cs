using TorchSharp;

namespace Llama.Core.Checkpoints;

/// <summary>Byte-level access to the memory of contiguous CPU tensors of any size.</summary>
/// <remarks>
/// <c>Tensor.bytes</c> is a <see cref="Span{T}"/>, so it cannot cover more than 2 GiB, and a Llama 3 embedding
/// (128256 x 16384 in BF16: 4.2 GB) is larger. These helpers walk a flat view of the tensor in slices of at most
/// <see cref="DefaultChunkBytes"/>, each small enough for a span.
/// </remarks>
internal static class TensorMemory
{
    public const long DefaultChunkBytes = 1L << 30;

    /// <summary>Receives one slice of a tensor's bytes and where it starts in the whole.</summary>
    public delegate void ChunkAction(Span<byte> chunk, long byteOffset);

    /// <summary>Calls <paramref name="action"/> on consecutive slices covering all bytes of <paramref name="tensor"/>.</summary>
    public static void ForEachChunk(torch.Tensor tensor, ChunkAction action, long chunkBytes = DefaultChunkBytes)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
        {
            throw new ArgumentException("raw byte access needs a contiguous CPU tensor", nameof(tensor));
        }
        var elementSize = tensor.ElementSize;
        var elementCount = tensor.NumberOfElements;
        if (elementCount == 0)
        {
            return;
        }
        if (elementCount * elementSize <= chunkBytes)
        {
            action(tensor.bytes, 0);
            return;
        }
        var elementsPerChunk = Math.Max(1, chunkBytes / elementSize);
        using var flat = tensor.view(-1);
        for (long start = 0; start < elementCount; start += elementsPerChunk)
        {
            var count = Math.Min(elementsPerChunk, elementCount - start);
            // A narrow of a contiguous 1-D view is contiguous, and its data pointer includes the start offset.
            using var slice = flat.narrow(0, start, count);
            action(slice.bytes, start * elementSize);
        }
    }

    /// <summary>Copies <paramref name="byteLength"/> bytes at <paramref name="source"/> into a contiguous CPU tensor of exactly that size.</summary>
    public static unsafe void CopyInto(byte* source, long byteLength, torch.Tensor destination, long chunkBytes = DefaultChunkBytes)
    {
        var destinationBytes = destination.NumberOfElements * destination.ElementSize;
        if (destinationBytes != byteLength)
        {
            throw new ArgumentException($"destination holds {destinationBytes} bytes, source has {byteLength}", nameof(destination));
        }
        ForEachChunk(destination, (chunk, offset) => new ReadOnlySpan<byte>(source + offset, chunk.Length).CopyTo(chunk), chunkBytes);
    }

    /// <summary>Copies managed bytes into a contiguous CPU tensor of exactly that size.</summary>
    public static unsafe void CopyInto(ReadOnlyMemory<byte> source, torch.Tensor destination, long chunkBytes = DefaultChunkBytes)
    {
        using var pinned = source.Pin();
        CopyInto((byte*)pinned.Pointer, source.Length, destination, chunkBytes);
    }

    /// <summary>Writes all bytes of a contiguous CPU tensor to <paramref name="stream"/>.</summary>
    public static void WriteTo(torch.Tensor tensor, Stream stream, long chunkBytes = DefaultChunkBytes) =>
        ForEachChunk(tensor, (chunk, _) => stream.Write(chunk), chunkBytes);
}
