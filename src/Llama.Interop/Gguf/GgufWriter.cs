using System.Text;

namespace Llama.Interop.Gguf;

/// <summary>
/// Writes a GGUF v3 file (ggml <c>docs/gguf.md</c>): the header (magic "GGUF", version, tensor and metadata
/// counts), the key-value metadata, the tensor directory (name, dims, type, offset), then each tensor's bytes,
/// every tensor starting at a multiple of <see cref="Alignment"/> from the data section. All little-endian.
/// Tensor bytes are produced one tensor at a time while writing, so a large model never sits in memory twice.
/// </summary>
public sealed class GgufWriter
{
    public const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    public const uint Version = 3;
    /// <summary>ggml's default (<c>GGUF_DEFAULT_ALIGNMENT</c>); a file may override it with <c>general.alignment</c>.</summary>
    public const int Alignment = 32;

    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    private sealed record PendingTensor(string Name, long[] Dimensions, GgmlType Type, Func<byte[]> Bytes);

    public void Add(string key, GgufValue value)
    {
        if (_metadata.Any(kv => kv.Key == key)) throw new GgufFormatException($"metadata key '{key}' is set twice");
        _metadata.Add(new(key, value));
    }

    /// <summary>Adds a tensor; <paramref name="bytes"/> is called once, during <see cref="Write"/>, and must return exactly the encoded size.</summary>
    public void AddTensor(string name, IReadOnlyList<long> dimensions, GgmlType type, Func<byte[]> bytes)
    {
        if (!_names.Add(name)) throw new GgufFormatException($"tensor '{name}' is added twice");
        if (dimensions.Count is < 1 or > 4) throw new GgufFormatException($"tensor '{name}': ggml tensors have 1 to 4 dimensions, got {dimensions.Count}");
        _ = GgmlTypeLayout.ByteCount(type, dimensions); // rejects a Q8_0 row that is not whole blocks
        _tensors.Add(new PendingTensor(name, dimensions.ToArray(), type, bytes));
    }

    /// <summary>Writes the file to a temporary name first and renames it, so a crash never leaves a half file under <paramref name="path"/>.</summary>
    public void Write(string path, IProgress<GgufWriteProgress>? progress = null)
    {
        string temp = path + ".partial";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write((ulong)_tensors.Count);
            w.Write((ulong)_metadata.Count);
            foreach (var (key, value) in _metadata)
            {
                WriteString(w, key);
                w.Write((uint)value.Type);
                WriteValue(w, value.Type, value.Value, key);
            }
            ulong offset = 0;
            foreach (var t in _tensors)
            {
                WriteString(w, t.Name);
                w.Write((uint)t.Dimensions.Length);
                foreach (var d in t.Dimensions) w.Write((ulong)d);
                w.Write((uint)t.Type);
                w.Write(offset);
                offset += (ulong)Align(GgmlTypeLayout.ByteCount(t.Type, t.Dimensions));
            }
            Pad(w);
            for (int i = 0; i < _tensors.Count; i++)
            {
                var t = _tensors[i];
                byte[] bytes = t.Bytes();
                long expected = GgmlTypeLayout.ByteCount(t.Type, t.Dimensions);
                if (bytes.Length != expected)
                    throw new GgufFormatException($"tensor '{t.Name}': encoder gave {bytes.Length} bytes, its shape and type need {expected}");
                w.Write(bytes);
                Pad(w);
                progress?.Report(new GgufWriteProgress(i + 1, _tensors.Count, t.Name));
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w)
    {
        long position = w.BaseStream.Position;
        for (long i = position; i < Align(position); i++) w.Write((byte)0);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteValue(BinaryWriter w, GgufValueType type, object value, string key)
    {
        try
        {
            switch (type)
            {
                case GgufValueType.UInt8: w.Write(Convert.ToByte(value)); break;
                case GgufValueType.Int8: w.Write(Convert.ToSByte(value)); break;
                case GgufValueType.UInt16: w.Write(Convert.ToUInt16(value)); break;
                case GgufValueType.Int16: w.Write(Convert.ToInt16(value)); break;
                case GgufValueType.UInt32: w.Write(Convert.ToUInt32(value)); break;
                case GgufValueType.Int32: w.Write(Convert.ToInt32(value)); break;
                case GgufValueType.Float32: w.Write(Convert.ToSingle(value)); break;
                case GgufValueType.Bool: w.Write((byte)((bool)value ? 1 : 0)); break;
                case GgufValueType.String: WriteString(w, (string)value); break;
                case GgufValueType.UInt64: w.Write(Convert.ToUInt64(value)); break;
                case GgufValueType.Int64: w.Write(Convert.ToInt64(value)); break;
                case GgufValueType.Float64: w.Write(Convert.ToDouble(value)); break;
                case GgufValueType.Array:
                    var array = (GgufArray)value;
                    if (array.ElementType == GgufValueType.Array) throw new GgufFormatException($"metadata '{key}': nested arrays are not supported");
                    w.Write((uint)array.ElementType);
                    w.Write((ulong)array.Items.Count);
                    foreach (var item in array.Items) WriteValue(w, array.ElementType, item, key);
                    break;
                default: throw new GgufFormatException($"metadata '{key}': unknown value type {(uint)type}");
            }
        }
        catch (InvalidCastException e)
        {
            throw new GgufFormatException($"metadata '{key}': a {value.GetType().Name} cannot be written as {type}", e);
        }
    }
}

/// <summary>Tensors written so far, of how many, and the last one's name.</summary>
public sealed record GgufWriteProgress(int Written, int Total, string Name);
