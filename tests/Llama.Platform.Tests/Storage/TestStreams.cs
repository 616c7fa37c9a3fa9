namespace Llama.Platform.Tests.Storage;

/// <summary>
/// <paramref name="length"/> pseudo-random bytes from a seeded generator, produced as they are read: a large
/// object without holding it in memory, and the same bytes again from a second instance for checking.
/// Cannot seek, like a network stream.
/// </summary>
public sealed class SeededRandomStream(int seed, long length) : Stream
{
    private readonly Random _random = new(seed);
    private readonly byte[] _block = new byte[64 * 1024];
    private int _blockOffset = 64 * 1024;
    private long _position;

    /// <summary>All the bytes, for small lengths.</summary>
    public static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new SeededRandomStream(seed, length).ReadExactly(bytes);
        return bytes;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Whole blocks from the generator, so the bytes do not depend on how callers split their reads.
        int n = (int)Math.Min(buffer.Length, length - _position);
        for (int done = 0; done < n;)
        {
            if (_blockOffset == _block.Length) { _random.NextBytes(_block); _blockOffset = 0; }
            int chunk = Math.Min(n - done, _block.Length - _blockOffset);
            _block.AsSpan(_blockOffset, chunk).CopyTo(buffer[done..]);
            _blockOffset += chunk;
            done += chunk;
        }
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Passes an inner stream through (seeking too, when it can) and calls <paramref name="onLimit"/> once the total
/// read over all passes exceeds <paramref name="limitBytes"/>: to cancel a token or throw part-way through a put.
/// </summary>
public sealed class InterruptingStream(Stream inner, long limitBytes, Action onLimit) : Stream
{
    private long _totalRead;

    /// <summary>Throws an <see cref="IOException"/> once past the limit, like a dropped connection.</summary>
    public static InterruptingStream Throwing(Stream inner, long limitBytes) =>
        new(inner, limitBytes, () => throw new IOException($"source failed after {limitBytes} bytes (test)"));

    /// <summary>Cancels <paramref name="source"/> once past the limit and keeps delivering bytes.</summary>
    public static InterruptingStream Cancelling(Stream inner, long limitBytes, CancellationTokenSource source) =>
        new(inner, limitBytes, source.Cancel);

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _totalRead += n;
        if (_totalRead > limitBytes) onLimit();
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
