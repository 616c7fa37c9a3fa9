namespace Llama.Curation.Dedup;

/// <summary>
/// The form URL dedup compares: scheme and host lowercased, default port, fragment and trailing slash dropped,
/// query kept (it often selects different content: <c>?page=2</c>). <c>HTTP://Example.com:80/a/#top</c> and
/// <c>http://example.com/a</c> are the same page.
/// </summary>
public static class UrlNormalizer
{
    /// <summary>The normalized URL; a string that is not an absolute http(s)/ftp-style URL is only trimmed.</summary>
    /// <param name="url">The URL as the source gave it.</param>
    /// <param name="dropQuery">Also drop the query string (treat <c>?utm_source=…</c> variants as one page).</param>
    public static string Normalize(string url, bool dropQuery = false)
    {
        var trimmed = url.Trim();
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || uri.IsFile || string.IsNullOrEmpty(uri.Host))
            return trimmed;
        var path = uri.AbsolutePath.TrimEnd('/');
        var port = uri.IsDefaultPort ? "" : $":{uri.Port}";
        var userInfo = uri.UserInfo.Length > 0 ? $"{uri.UserInfo}@" : "";
        var query = dropQuery ? "" : uri.Query;
        return $"{uri.Scheme.ToLowerInvariant()}://{userInfo}{uri.Host.ToLowerInvariant()}{port}{path}{query}";
    }
}
