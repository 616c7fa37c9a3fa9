using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Llama.Core.Checkpoints;

/// <summary>The JSON header of a safetensors file: parsing with full validation, and serialization.</summary>
/// <remarks>
/// Rules follow the reference implementation (huggingface/safetensors <c>tensor.rs</c>): header at most 100 MB;
/// the data offsets, sorted, must tile the data section exactly (no overlap, no hole, nothing after the last
/// tensor, which keeps polyglot files out); each tensor's byte length is its element count times the dtype size.
/// </remarks>
internal sealed class SafetensorsHeader
{
    public const string MetadataKey = "__metadata__";
    public const int MaxHeaderBytes = 100_000_000;

    private SafetensorsHeader(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<TensorInfo> tensors)
    {
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensors in data-offset order.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>Length of the whole header region: the 8-byte length prefix plus the JSON.</summary>
    public long DataStart { get; private init; }

    /// <summary>Reads the length prefix and header from the start of a file of <paramref name="fileLength"/> bytes and validates it.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> fileStart, long fileLength, string path)
    {
        if (fileLength < 8)
        {
            throw new SafetensorsFormatException(path, null, $"file is {fileLength} bytes, shorter than the 8-byte header length");
        }
        var declared = BinaryPrimitives.ReadUInt64LittleEndian(fileStart);
        if (declared > MaxHeaderBytes)
        {
            throw new SafetensorsFormatException(path, null, $"declared header length {declared} exceeds the {MaxHeaderBytes}-byte limit (not a safetensors file?)");
        }
        var headerLength = (int)declared;
        if (8 + headerLength > fileLength)
        {
            throw new SafetensorsFormatException(path, null, $"declared header length {headerLength} runs past the end of the {fileLength}-byte file (truncated?)");
        }
        var tensors = ParseJson(fileStart.Slice(8, headerLength), path, out var metadata);
        var dataLength = fileLength - 8 - headerLength;
        ValidateLayout(tensors, dataLength, path);
        return new SafetensorsHeader(metadata, tensors) { DataStart = 8 + headerLength };
    }

    private static List<TensorInfo> ParseJson(ReadOnlySpan<byte> json, string path, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<TensorInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            // Parse copies the bytes it needs; the span may be a memory-mapped view.
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, null, $"header is not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SafetensorsFormatException(path, null, $"header is a JSON {document.RootElement.ValueKind}, expected an object");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new SafetensorsFormatException(path, property.Name, "appears twice in the header");
                }
                if (property.Name == MetadataKey)
                {
                    ParseMetadata(property.Value, path, metadata);
                }
                else
                {
                    tensors.Add(ParseTensor(property.Name, property.Value, path));
                }
            }
        }
        // Storage order; zero-length tensors sort before a tensor starting at the same offset.
        tensors.Sort((a, b) => a.DataBegin != b.DataBegin ? a.DataBegin.CompareTo(b.DataBegin) : a.DataEnd.CompareTo(b.DataEnd));
        return tensors;
    }

    private static void ParseMetadata(JsonElement value, string path, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, MetadataKey, $"must be an object of strings, found a JSON {value.ValueKind}");
        }
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafetensorsFormatException(path, MetadataKey, $"value of '{entry.Name}' must be a string, found a JSON {entry.Value.ValueKind}");
            }
            metadata[entry.Name] = entry.Value.GetString()!;
        }
    }

    private static TensorInfo ParseTensor(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, name, $"entry must be an object, found a JSON {value.ValueKind}");
        }
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new SafetensorsFormatException(path, name, "missing string field 'dtype'");
        }
        var dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDtypes.TryParseHeaderName(dtypeName, out var dtype))
        {
            throw new SafetensorsFormatException(path, name,
                $"unknown dtype '{dtypeName}' (known: {string.Join(", ", Enum.GetNames<SafetensorsDtype>())})");
        }
        var shape = ReadNonNegativeIntegers(value, "shape", path, name);
        var offsets = ReadNonNegativeIntegers(value, "data_offsets", path, name);
        if (offsets.Length != 2)
        {
            throw new SafetensorsFormatException(path, name, $"'data_offsets' must hold 2 numbers, found {offsets.Length}");
        }
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end)
        {
            throw new SafetensorsFormatException(path, name, $"data_offsets [{begin}, {end}] begin after they end");
        }
        long expectedBytes;
        try
        {
            expectedBytes = dtype.ElementSize();
            foreach (var dimension in shape)
            {
                expectedBytes = checked(expectedBytes * dimension);
            }
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(path, name, $"shape {TensorInfo.FormatShape(shape)} of {dtype} overflows a 64-bit byte count");
        }
        if (expectedBytes != end - begin)
        {
            throw new SafetensorsFormatException(path, name,
                $"shape {TensorInfo.FormatShape(shape)} of {dtype} needs {expectedBytes} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] ReadNonNegativeIntegers(JsonElement tensor, string field, string path, string name)
    {
        if (!tensor.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new SafetensorsFormatException(path, name, $"missing array field '{field}'");
        }
        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number) || number < 0)
            {
                throw new SafetensorsFormatException(path, name, $"'{field}' must hold non-negative integers, found {item.GetRawText()}");
            }
            values[i++] = number;
        }
        return values;
    }

    private static void ValidateLayout(List<TensorInfo> tensors, long dataLength, string path)
    {
        long expectedBegin = 0;
        TensorInfo? previous = null;
        foreach (var tensor in tensors)
        {
            if (tensor.DataEnd > dataLength)
            {
                throw new SafetensorsFormatException(path, tensor.Name,
                    $"data_offsets [{tensor.DataBegin}, {tensor.DataEnd}] run past the end of the data section ({dataLength} bytes; truncated file?)");
            }
            if (tensor.DataBegin < expectedBegin)
            {
                throw new SafetensorsFormatException(path, tensor.Name,
                    $"data_offsets [{tensor.DataBegin}, {tensor.DataEnd}] overlap tensor '{previous!.Name}' [{previous.DataBegin}, {previous.DataEnd}]");
            }
            if (tensor.DataBegin > expectedBegin)
            {
                throw new SafetensorsFormatException(path, tensor.Name,
                    $"data_offsets [{tensor.DataBegin}, {tensor.DataEnd}] leave a hole of {tensor.DataBegin - expectedBegin} bytes before them (data must be packed)");
            }
            expectedBegin = tensor.DataEnd;
            previous = tensor;
        }
        if (expectedBegin != dataLength)
        {
            throw new SafetensorsFormatException(path, previous?.Name,
                $"{dataLength - expectedBegin} bytes after the last tensor's data belong to no tensor");
        }
    }

    /// <summary>
    /// The header JSON for tensors already in storage order, padded with spaces to a multiple of 8 bytes.
    /// Formatting matches serde_json's compact output (the reference writer), so headers are byte-identical.
    /// </summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, string>? metadata, IEnumerable<TensorInfo> tensors)
    {
        var json = new StringBuilder("{");
        var first = true;
        if (metadata is { Count: > 0 })
        {
            json.Append('"').Append(MetadataKey).Append("\":{");
            var firstEntry = true;
            // The reference keeps metadata in a hash map (no defined order); sorted keys make our files reproducible.
            foreach (var (key, value) in metadata.OrderBy(entry => entry.Key, StringComparer.Ordinal))
            {
                if (!firstEntry)
                {
                    json.Append(',');
                }
                AppendString(json, key).Append(':');
                AppendString(json, value);
                firstEntry = false;
            }
            json.Append('}');
            first = false;
        }
        foreach (var tensor in tensors)
        {
            if (!first)
            {
                json.Append(',');
            }
            AppendString(json, tensor.Name)
                .Append(":{\"dtype\":\"").Append(tensor.Dtype.HeaderName())
                .Append("\",\"shape\":[").AppendJoin(',', tensor.Shape)
                .Append("],\"data_offsets\":[").Append(tensor.DataBegin).Append(',').Append(tensor.DataEnd).Append("]}");
            first = false;
        }
        json.Append('}');
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        var padded = (bytes.Length + 7) / 8 * 8;
        if (padded == bytes.Length)
        {
            return bytes;
        }
        var result = new byte[padded];
        bytes.CopyTo(result, 0);
        result.AsSpan(bytes.Length).Fill((byte)' ');
        return result;
    }

    // serde_json's escaping: quote, backslash and control characters only; other characters stay raw UTF-8.
    private static StringBuilder AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2")); break;
                default: json.Append(c); break;
            }
        }
        return json.Append('"');
    }
}
