using Microsoft.Extensions.Configuration;

namespace Llama.Web;

/// <summary>
/// Where a service the web UI talks to is: its own setting when set (e.g. <c>--Llama:ServingUrl=http://host:8000</c>),
/// else the URL Aspire injects for a referenced resource of that role (<c>services__serving__http__0</c>).
/// </summary>
/// <param name="Role">The service's role (<c>serving</c>, <c>pipeline</c>), as people and the AppHost name it.</param>
public sealed record ServiceEndpoint(string Role, Uri? Url, string Source)
{
    /// <summary>The OpenAI-compatible serving API, behind the chat page.</summary>
    public const string ServingUrlKey = "Llama:ServingUrl";

    /// <summary>The pipeline service's job API, behind the pipelines page.</summary>
    public const string PipelineUrlKey = "Llama:PipelineUrl";

    public static ServiceEndpoint Serving(IConfiguration configuration) => From(configuration, "serving", ServingUrlKey);

    public static ServiceEndpoint Pipeline(IConfiguration configuration) => From(configuration, "pipeline", PipelineUrlKey);

    /// <exception cref="InvalidOperationException">The configured value is not an absolute http(s) URL (named in the message).</exception>
    public static ServiceEndpoint From(IConfiguration configuration, string role, string urlKey)
    {
        string[] discoveryKeys = [$"services:{role}:http:0", $"services:{role}:https:0"];
        foreach (string key in (string[])[urlKey, .. discoveryKeys])
        {
            string? value = configuration[key];
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                throw new InvalidOperationException($"{key} ('{value}') must be an absolute http(s) URL");
            return new ServiceEndpoint(role, url, key);
        }
        return new ServiceEndpoint(role, null, $"not configured: set {urlKey} or reference the {role} service ({discoveryKeys[0]})");
    }
}
