using System.Text;

namespace Llama.Core.Tokenization;

/// <summary>
/// GPT-2's byte-to-unicode table (openai/gpt-2 <c>encoder.py</c> <c>bytes_to_unicode</c>), which Hugging Face
/// byte-level BPE uses to spell token bytes as printable strings in <c>tokenizer.json</c>: printable Latin-1
/// bytes map to themselves, the other 68 bytes to U+0100 upward in byte order (so space is 'Ġ').
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildTable();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes) sb.Append(ByteToChar[b]);
        return sb.ToString();
    }

    /// <summary>The bytes a byte-level string spells, or null if it holds a character outside the table.</summary>
    public static byte[]? TryDecode(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (!CharToByte.TryGetValue(text[i], out bytes[i])) return null;
        }
        return bytes;
    }

    private static char[] BuildTable()
    {
        var table = new char[256];
        var printable = new bool[256];
        for (var b = '!'; b <= '~'; b++) printable[b] = true;
        for (var b = '¡'; b <= '¬'; b++) printable[b] = true;
        for (var b = '®'; b <= 'ÿ'; b++) printable[b] = true;
        var next = 256;
        for (var b = 0; b < 256; b++)
            table[b] = printable[b] ? (char)b : (char)next++;
        return table;
    }
}
