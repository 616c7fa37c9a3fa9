using System.Buffers.Binary;
using System.Text;

namespace Llama.Core.Tests.Checkpoints;

/// <summary>Builds safetensors files byte by byte, so tests can write headers that lie.</summary>
internal static class SafetensorsFiles
{
    /// <summary>An 8-byte length, <paramref name="headerJson"/> as UTF-8, then <paramref name="dataBytes"/> bytes counting up.</summary>
    public static void WriteRaw(string path, string headerJson, long dataBytes)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var file = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        for (var i = 0; i < dataBytes; i++)
        {
            file[8 + header.Length + i] = (byte)i;
        }
        File.WriteAllBytes(path, file);
    }

    /// <summary>The header JSON of a safetensors file, parsed here without the code under test.</summary>
    public static string ReadHeaderJson(string path, out long dataStart)
    {
        var bytes = File.ReadAllBytes(path);
        var length = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        dataStart = 8 + length;
        return Encoding.UTF8.GetString(bytes, 8, (int)length);
    }
}
