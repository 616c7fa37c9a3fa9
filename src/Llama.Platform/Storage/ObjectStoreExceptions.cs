namespace Llama.Platform.Storage;

/// <summary>Base of every error the object store raises on purpose; <see cref="Key"/> names the object.</summary>
public abstract class ObjectStoreException(string key, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Key { get; } = key;
}

/// <summary>A key breaks one of the <see cref="ObjectKey"/> rules; nothing was read or written.</summary>
public sealed class InvalidObjectKeyException(string key, string rule)
    : ObjectStoreException(key, $"invalid object key '{ObjectKey.Printable(key)}': {rule}")
{
    /// <summary>The rule the key breaks, in words.</summary>
    public string Rule { get; } = rule;
}

/// <summary>No object is stored under the key.</summary>
public sealed class ObjectNotFoundException(string key, string where)
    : ObjectStoreException(key, $"object '{key}' not found in {where}");

/// <summary>
/// The bytes read back are not the bytes that were stored: their SHA-256 or length differs from the one
/// recorded at write time (or the record itself is missing or unreadable).
/// </summary>
public sealed class ObjectCorruptedException : ObjectStoreException
{
    public ObjectCorruptedException(string key, string expectedSha256, long expectedSizeBytes, string actualSha256, long actualSizeBytes)
        : base(key, $"object '{key}' is corrupted: stored sha256 {expectedSha256} ({expectedSizeBytes} bytes), " +
                    $"read sha256 {actualSha256} ({actualSizeBytes} bytes)")
    {
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    public ObjectCorruptedException(string key, string problem, Exception? inner = null)
        : base(key, $"object '{key}' is corrupted: {problem}", inner)
    {
    }

    /// <summary>The SHA-256 recorded when the object was written, when known.</summary>
    public string? ExpectedSha256 { get; }

    /// <summary>The SHA-256 of the bytes actually read, when the read got that far.</summary>
    public string? ActualSha256 { get; }
}

/// <summary>
/// A folder store cannot hold both an object <c>a</c> and an object <c>a/b</c> (a path cannot be a file and a
/// folder at once); S3 can, so this is the one place where the two stores differ.
/// </summary>
public sealed class ObjectKeyConflictException(string key, string conflictingKey)
    : ObjectStoreException(key, $"object key '{key}' conflicts with '{conflictingKey}': a folder store cannot hold " +
                                "an object and a folder of objects under the same name")
{
    public string ConflictingKey { get; } = conflictingKey;
}
