using System.Text;

namespace Llama.Core.Tokenization;

/// <summary>
/// Turns generated ids into text one id at a time. A token can end in the middle of a UTF-8 character
/// (byte-level BPE splits emoji and CJK across tokens), so incomplete trailing bytes are held until the
/// next token completes them; the concatenated output equals <see cref="Llama3Tokenizer.Decode"/> of all ids.
/// </summary>
public sealed class StreamingDecoder
{
    private readonly Llama3Tokenizer _tokenizer;
    // UTF8 Decoder keeps partial sequences between calls and emits U+FFFD for invalid ones.
    private readonly Decoder _utf8 = new UTF8Encoding(false).GetDecoder();
    private char[] _chars = new char[64];

    internal StreamingDecoder(Llama3Tokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary>Adds one id; returns the text it completes (possibly empty).</summary>
    public string Append(int id) => Convert(_tokenizer.BytesOf(id), flush: false);

    /// <summary>Ends the stream: returns U+FFFD for any bytes still waiting for the rest of their character.</summary>
    public string Flush() => Convert(ReadOnlySpan<byte>.Empty, flush: true);

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        var needed = _utf8.GetCharCount(bytes, flush: false) + 4;
        if (_chars.Length < needed) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        var count = _utf8.GetChars(bytes, _chars, flush);
        return new string(_chars, 0, count);
    }
}
