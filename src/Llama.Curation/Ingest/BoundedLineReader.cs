using System.Buffers;

namespace Llama.Curation.Ingest;

/// <summary>
/// Reads <c>\n</c>-separated lines as bytes, never holding more than <c>maxLineBytes</c> of one line: a longer line
/// is read past and reported as too long, so one 50 MB JSONL record cannot exhaust memory.
/// </summary>
internal sealed class BoundedLineReader(Stream stream, long maxLineBytes)
{
    private readonly byte[] _chunk = new byte[81920];
    private readonly ArrayBufferWriter<byte> _line = new();
    private int _position;
    private int _length;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// The next line without its <c>\n</c> (and <c>\r</c>); false at the end of the stream. When
    /// <paramref name="tooLong"/> is true the line's bytes were dropped and <paramref name="line"/> is empty.
    /// </summary>
    public bool ReadLine(out ReadOnlyMemory<byte> line, out bool tooLong)
    {
        _line.ResetWrittenCount();
        tooLong = false;
        var sawAnything = false;
        while (true)
        {
            if (_position == _length)
            {
                _length = stream.Read(_chunk, 0, _chunk.Length);
                _position = 0;
                if (_length == 0)
                {
                    if (!sawAnything)
                    {
                        line = default;
                        return false;
                    }
                    break; // last line without a final newline
                }
            }
            sawAnything = true;
            var available = _chunk.AsSpan(_position, _length - _position);
            var newline = available.IndexOf((byte)'\n');
            var part = newline < 0 ? available : available[..newline];
            if (!tooLong)
            {
                if (_line.WrittenCount + part.Length > maxLineBytes)
                {
                    tooLong = true;
                    _line.ResetWrittenCount();
                }
                else
                {
                    _line.Write(part);
                }
            }
            if (newline < 0)
            {
                _position = _length;
                continue;
            }
            _position += newline + 1;
            break;
        }
        LineNumber++;
        var written = _line.WrittenMemory;
        if (written.Length > 0 && written.Span[^1] == (byte)'\r') written = written[..^1];
        line = tooLong ? ReadOnlyMemory<byte>.Empty : written;
        return true;
    }
}
