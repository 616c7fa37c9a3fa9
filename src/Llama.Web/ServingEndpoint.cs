using Microsoft.Extensions.Configuration;

namespace Llama.Web;

/// <summary>
/// Where the OpenAI-compatible serving API is: <c>Llama:ServingUrl</c> when set (e.g. <c>--Llama:ServingUrl=http://host:8000</c>),
/// else the URL Aspire injects for a referenced <c>serving</c> resource (<c>services__serving__http__0</c>).
/// </summary>
public sealed record ServingEndpoint(Uri? Url, string Source)
{
    public const string UrlKey = "Llama:ServingUrl";

    private static readonly string[] DiscoveryKeys = ["services:serving:http:0", "services:serving:https:0"];

    public static ServingEndpoint From(IConfiguration configuration)
    {
        foreach (string key in (string[])[UrlKey, .. DiscoveryKeys])
        {
            string? value = configuration[key];
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                throw new InvalidOperationException($"{key} ('{value}') must be an absolute http(s) URL");
            return new ServingEndpoint(url, key);
        }
        return new ServingEndpoint(null, $"not configured: set {UrlKey} or reference the serving service ({DiscoveryKeys[0]})");
    }
}
