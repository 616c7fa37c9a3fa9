namespace Llama.Platform.Storage;

/// <summary>What the store knows about one stored object.</summary>
/// <param name="Key">The object's key (see <see cref="ObjectKey"/>).</param>
/// <param name="SizeBytes">Length of the content in bytes.</param>
/// <param name="Sha256">SHA-256 of the content, 64 lowercase hex digits.</param>
/// <param name="LastModified">When the current content was committed.</param>
public sealed record ObjectInfo(string Key, long SizeBytes, string Sha256, DateTimeOffset LastModified);
