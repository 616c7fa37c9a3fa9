using System.Security.Cryptography;

namespace Llama.Platform.Storage;

/// <summary>
/// A read-only stream over an object's stored bytes that hashes what passes through and, when the end is
/// reached, throws <see cref="ObjectCorruptedException"/> if the SHA-256 or length differ from the ones
/// recorded at write time. The last bytes are only handed out once they check, so a reader that receives
/// exactly the recorded length has verified it. Verifying on the way through costs one pass instead of a
/// second read of a multi-GB file.
/// </summary>
internal sealed class Sha256VerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly IDisposable? _owner;
    private readonly ObjectInfo _expected;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _bytesRead;
    private ObjectCorruptedException? _failure;
    private bool _verified;

    /// <param name="inner">The stored bytes.</param>
    /// <param name="expected">Size and hash recorded at write time.</param>
    /// <param name="owner">Disposed with the stream (e.g. the HTTP response <paramref name="inner"/> belongs to).</param>
    public Sha256VerifyingStream(Stream inner, ObjectInfo expected, IDisposable? owner = null)
    {
        _inner = inner;
        _expected = expected;
        _owner = owner;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _bytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Account(buffer, _inner.Read(buffer), buffer.Length);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _inner.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span, n, buffer.Length);
    }

    private int Account(ReadOnlySpan<byte> buffer, int n, int requested)
    {
        if (_failure is not null) throw _failure;
        if (n > 0)
        {
            _hash.AppendData(buffer[..n]);
            _bytesRead += n;
            // Longer than recorded: fail now rather than hand out more unverified bytes.
            if (_bytesRead > _expected.SizeBytes) Fail();
            // Verify as soon as the recorded length is in, so a reader that stops there is covered too.
            if (_bytesRead == _expected.SizeBytes) Verify();
        }
        else if (requested > 0 && !_verified)
        {
            if (_bytesRead != _expected.SizeBytes) Fail();
            Verify(); // an empty object
        }
        return n;
    }

    private void Verify()
    {
        string actual = Convert.ToHexStringLower(_hash.GetCurrentHash());
        if (actual != _expected.Sha256) Fail();
        _verified = true;
    }

    private void Fail()
    {
        _failure = new ObjectCorruptedException(_expected.Key, _expected.Sha256, _expected.SizeBytes,
            Convert.ToHexStringLower(_hash.GetCurrentHash()), _bytesRead);
        throw _failure;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _owner?.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
