namespace Llama.Curation.Dedup;

/// <summary>Options of <see cref="UrlDeduplicator"/>.</summary>
public sealed record UrlDedupOptions
{
    /// <summary>
    /// Compare URLs without their query string. Off by default: the query often selects different content
    /// (<c>?id=7</c>), so only turn it on for sources whose queries are tracking noise.
    /// </summary>
    public bool IgnoreQuery { get; init; }
}
