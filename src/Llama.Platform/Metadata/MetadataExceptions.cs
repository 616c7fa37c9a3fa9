namespace Llama.Platform.Metadata;

/// <summary>
/// A record a caller named by id does not exist. The common base lets a service map every such case to
/// 404 in one place; the subclasses say which kind of record was missing.
/// </summary>
public abstract class MetadataRecordNotFoundException(string message) : Exception(message);

/// <summary>A JSON text the metadata store keeps (run config, artifact metadata, eval config) does not parse.</summary>
public sealed class MalformedJsonException(string what, string problem)
    : ArgumentException($"{what} is not well-formed JSON: {problem}")
{
    /// <summary>Which JSON text it was (e.g. "run config").</summary>
    public string What { get; } = what;
}
