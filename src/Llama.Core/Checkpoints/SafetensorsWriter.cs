using System.Buffers.Binary;
using System.Text;
using TorchSharp;

namespace Llama.Core.Checkpoints;

/// <summary>Writes safetensors files the way the reference Python library does, streaming one tensor at a time.</summary>
/// <remarks>
/// Tensors are ordered by dtype alignment (largest first), then by name, like <c>safetensors.torch.save_file</c>,
/// and the header is padded with spaces to a multiple of 8 bytes so every tensor's data stays 8-byte aligned in a
/// mapping. The file is written under a temporary name and renamed, so an interrupted save leaves no partial file.
/// </remarks>
public static class SafetensorsWriter
{
    /// <summary>Writes TorchSharp tensors (any device, any layout: each is copied to contiguous CPU memory in turn).</summary>
    /// <exception cref="ArgumentException">Duplicate or reserved name, or a dtype safetensors cannot hold.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors.Select(pair => TensorPayload.From(pair.Key, pair.Value)).ToList(), metadata);

    /// <summary>Writes tensors given as raw bytes with a declared dtype (e.g. FP8 codes).</summary>
    /// <exception cref="ArgumentException">Duplicate or reserved name, or a byte count that does not match dtype and shape.</exception>
    public static void Write(string path, IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, entries.Select(TensorPayload.From).ToList(), metadata);

    internal static void Write(string path, IReadOnlyList<TensorPayload> payloads, IReadOnlyDictionary<string, string>? metadata) =>
        AtomicFile.Write(path, stream => WriteTo(stream, payloads, metadata));

    /// <summary>Writes the whole file content to <paramref name="stream"/>: length prefix, header, then each tensor's bytes.</summary>
    internal static void WriteTo(Stream stream, IReadOnlyList<TensorPayload> payloads, IReadOnlyDictionary<string, string>? metadata)
    {
        var ordered = InFileOrder(payloads);
        var infos = new List<TensorInfo>(ordered.Count);
        long offset = 0;
        foreach (var payload in ordered)
        {
            infos.Add(new TensorInfo(payload.Name, payload.Dtype, payload.Shape, offset, offset + payload.ByteLength));
            offset += payload.ByteLength;
        }
        var header = SafetensorsHeader.Serialize(metadata, infos);
        Span<byte> lengthPrefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthPrefix, (ulong)header.Length);
        stream.Write(lengthPrefix);
        stream.Write(header);
        var dataStart = stream.Position;
        foreach (var (payload, info) in ordered.Zip(infos))
        {
            payload.WriteTo(stream);
            var written = stream.Position - dataStart;
            if (written != info.DataEnd)
            {
                // A tensor whose memory changed size between planning and writing would corrupt every later offset.
                throw new InvalidOperationException($"tensor '{payload.Name}': wrote {written - info.DataBegin} bytes, expected {info.ByteLength}");
            }
        }
    }

    /// <summary>The order the reference writer uses: dtype descending (by alignment), then name by UTF-8 bytes.</summary>
    internal static List<TensorPayload> InFileOrder(IReadOnlyList<TensorPayload> payloads)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var payload in payloads)
        {
            if (!names.Add(payload.Name))
            {
                throw new ArgumentException($"tensor '{payload.Name}' is given twice");
            }
        }
        var ordered = payloads.ToList();
        ordered.Sort((a, b) =>
        {
            var byDtype = b.Dtype.CompareTo(a.Dtype);
            return byDtype != 0 ? byDtype : CompareUtf8(a.Name, b.Name);
        });
        return ordered;
    }

    // Rust compares String by UTF-8 bytes; UTF-16 ordinal order differs for characters above U+E000 vs surrogates.
    private static int CompareUtf8(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
}
