using System.Text;

namespace Llama.Interop.Gguf;

/// <summary>
/// Reads a GGUF v2/v3 file: metadata into a dictionary, the tensor directory, and tensor data on request
/// (decoded to float32 for F32, F16 and Q8_0). Used for round-trip tests and <c>llama export gguf</c>'s check.
/// </summary>
public sealed class GgufReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly BinaryReader _reader;
    private readonly string _path;
    private readonly long _dataStart;

    private GgufReader(string path)
    {
        _path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        _reader = new BinaryReader(_stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            uint magic = _reader.ReadUInt32();
            if (magic != GgufWriter.Magic) throw Fail($"not a GGUF file (magic 0x{magic:X8})");
            Version = _reader.ReadUInt32();
            if (Version is < 2 or > 3) throw Fail($"GGUF version {Version} is not supported (2 or 3)");
            ulong tensorCount = _reader.ReadUInt64(), metadataCount = _reader.ReadUInt64();
            var metadata = new Dictionary<string, GgufValue>(StringComparer.Ordinal);
            for (ulong i = 0; i < metadataCount; i++)
            {
                string key = ReadString();
                var type = (GgufValueType)_reader.ReadUInt32();
                if (!metadata.TryAdd(key, new GgufValue(type, ReadValue(type, key)))) throw Fail($"metadata key '{key}' appears twice");
            }
            Metadata = metadata;
            var tensors = new List<GgufTensorInfo>();
            for (ulong i = 0; i < tensorCount; i++)
            {
                string name = ReadString();
                uint dims = _reader.ReadUInt32();
                if (dims is < 1 or > 4) throw Fail($"tensor '{name}' has {dims} dimensions");
                var shape = new long[dims];
                for (int d = 0; d < dims; d++) shape[d] = (long)_reader.ReadUInt64();
                tensors.Add(new GgufTensorInfo(name, shape, (GgmlType)_reader.ReadUInt32(), _reader.ReadUInt64()));
            }
            Tensors = tensors;
            Alignment = Metadata.TryGetValue("general.alignment", out var a) ? Convert.ToInt32(a.Value) : GgufWriter.Alignment;
            _dataStart = (_stream.Position + Alignment - 1) / Alignment * Alignment;
        }
        catch (EndOfStreamException e)
        {
            Dispose();
            throw new GgufFormatException($"{path}: the file ends inside its header", e);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static GgufReader Open(string path) =>
        File.Exists(path) ? new GgufReader(path) : throw new FileNotFoundException($"{path}: GGUF file not found", path);

    public uint Version { get; }
    public int Alignment { get; }
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    public GgufTensorInfo Tensor(string name) =>
        Tensors.FirstOrDefault(t => t.Name == name) ?? throw Fail($"no tensor '{name}'");

    /// <summary>The value of <paramref name="key"/> as <typeparamref name="T"/> (arrays as <see cref="GgufArray"/>).</summary>
    public T Get<T>(string key) =>
        Metadata.TryGetValue(key, out var v) ? (T)v.Value : throw Fail($"no metadata key '{key}'");

    public byte[] ReadBytes(GgufTensorInfo info)
    {
        var bytes = new byte[info.ByteCount];
        _stream.Position = _dataStart + (long)info.Offset;
        _stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The tensor's values as float32, in storage order (row-major over the PyTorch shape).</summary>
    public float[] ReadFloats(string name)
    {
        var info = Tensor(name);
        var bytes = ReadBytes(info);
        return info.Type switch
        {
            GgmlType.F32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
            GgmlType.F16 => GgmlEncoding.DecodeF16(bytes),
            GgmlType.Q8_0 => GgmlEncoding.DecodeQ8_0(bytes),
            _ => throw Fail($"tensor '{name}' has type {(uint)info.Type}, which this reader cannot decode"),
        };
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }

    private GgufFormatException Fail(string why) => new($"{_path}: {why}");

    private string ReadString()
    {
        ulong length = _reader.ReadUInt64();
        if (length > int.MaxValue || (long)length > _stream.Length - _stream.Position) throw Fail($"a string of {length} bytes runs past the end of the file");
        return Encoding.UTF8.GetString(_reader.ReadBytes((int)length));
    }

    private object ReadValue(GgufValueType type, string key) => type switch
    {
        GgufValueType.UInt8 => _reader.ReadByte(),
        GgufValueType.Int8 => _reader.ReadSByte(),
        GgufValueType.UInt16 => _reader.ReadUInt16(),
        GgufValueType.Int16 => _reader.ReadInt16(),
        GgufValueType.UInt32 => _reader.ReadUInt32(),
        GgufValueType.Int32 => _reader.ReadInt32(),
        GgufValueType.Float32 => _reader.ReadSingle(),
        GgufValueType.Bool => _reader.ReadByte() != 0,
        GgufValueType.String => ReadString(),
        GgufValueType.UInt64 => _reader.ReadUInt64(),
        GgufValueType.Int64 => _reader.ReadInt64(),
        GgufValueType.Float64 => _reader.ReadDouble(),
        GgufValueType.Array => ReadArray(key),
        _ => throw Fail($"metadata '{key}' has unknown type {(uint)type}"),
    };

    private GgufArray ReadArray(string key)
    {
        var elementType = (GgufValueType)_reader.ReadUInt32();
        ulong count = _reader.ReadUInt64();
        if (count > (ulong)(_stream.Length - _stream.Position)) throw Fail($"metadata '{key}': array of {count} items runs past the end of the file");
        var items = new object[count];
        for (ulong i = 0; i < count; i++) items[i] = ReadValue(elementType, key);
        return new GgufArray(elementType, items);
    }
}
