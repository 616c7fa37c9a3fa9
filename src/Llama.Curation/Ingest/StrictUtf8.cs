using System.Text.Unicode;

namespace Llama.Curation.Ingest;

/// <summary>
/// Strict UTF-8 decoding. Invalid bytes make the document a skip (<see cref="IngestSkipReasons.InvalidUtf8"/>)
/// rather than a text with U+FFFD in it: a file that is not UTF-8 is usually another encoding altogether
/// (Latin-1, UTF-16), and replacing bytes would pass mojibake on to the filters and the tokenizer.
/// </summary>
internal static class StrictUtf8
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The text of <paramref name="bytes"/>, or null with the offset of the first invalid byte.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> bytes, out long invalidOffset)
    {
        var offset = bytes.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
        var body = bytes[offset..];
        var chars = new char[body.Length]; // UTF-8 never needs more UTF-16 units than bytes
        var status = Utf8.ToUtf16(body, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
        {
            invalidOffset = offset + bytesRead;
            return null;
        }
        invalidOffset = -1;
        return new string(chars, 0, charsWritten);
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to the end, or stops after <paramref name="maxBytes"/> + 1 bytes and returns
    /// null: a 50 MB document costs at most the cap in memory, never its full size.
    /// </summary>
    public static byte[]? ReadAtMost(Stream stream, long maxBytes)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = stream.Read(chunk, 0, chunk.Length);
            if (read == 0) return buffer.ToArray();
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
    }

    /// <summary>Text with Windows and old Mac line ends turned into <c>\n</c>, which later stages split on.</summary>
    public static string NormalizeLineEnds(string text) =>
        text.Contains('\r') ? text.ReplaceLineEndings("\n") : text;
}
