namespace Llama.Platform.Storage;

/// <summary>
/// Where artifacts live: datasets, shards, checkpoints, reports. Streams in and out so multi-GB checkpoints
/// never sit in memory. Every object carries the SHA-256 of its content, computed while it is written and
/// verified while it is read, so corruption on disk or in transit surfaces as
/// <see cref="ObjectCorruptedException"/> instead of as a silently broken model.
/// Every method validates the key first (<see cref="ObjectKey.Validate"/>) and touches nothing for a bad one.
/// </summary>
public interface IObjectStore
{
    /// <summary>
    /// Stores <paramref name="content"/> (read from its current position to its end) under <paramref name="key"/>,
    /// replacing any previous object. Atomic: readers see the old object or the new one, never part of one; a
    /// failure or cancellation part-way leaves the previous state.
    /// </summary>
    Task<ObjectInfo> PutAsync(string key, Stream content, CancellationToken ct = default);

    /// <summary>
    /// Opens the object for reading. The stream checks the SHA-256 and length as it is read: reaching the end
    /// with different bytes throws <see cref="ObjectCorruptedException"/>. A reader that stops early has not
    /// verified anything. Throws <see cref="ObjectNotFoundException"/> when no object has the key.
    /// </summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken ct = default);

    /// <summary>The object's size, hash and time, or null when there is none.</summary>
    Task<ObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default);

    /// <summary>Whether an object is stored under the key.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken ct = default);

    /// <summary>Removes the object; does nothing when there is none.</summary>
    Task DeleteAsync(string key, CancellationToken ct = default);

    /// <summary>
    /// The objects whose keys start with <paramref name="prefix"/> (a plain string prefix, as in S3: "runs/4"
    /// matches "runs/42/x"), in <see cref="ObjectKey.Order"/>.
    /// </summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", CancellationToken ct = default);

    /// <summary>Where the objects live, for logs and messages; never contains secrets.</summary>
    string Describe();
}
