using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using SmartReader;

namespace Llama.Curation.Ingest;

/// <summary>
/// The main text of an HTML page. Readability (SmartReader, a port of Mozilla's Readability.js, which scores
/// blocks by text and link density) removes navigation, banners and footers; when it finds nothing, a structural
/// fallback takes <c>main</c>, <c>article</c> or <c>body</c> without <c>nav</c>, <c>header</c>, <c>footer</c>,
/// <c>aside</c>, forms, scripts, styles and cookie/consent banners. Both keep blocks on their own lines
/// (<see cref="HtmlBlockTextWriter"/>). Thread-safe: every call parses its own document.
/// </summary>
public sealed class HtmlTextExtractor(HtmlExtractionOptions? options = null)
{
    // Readability needs an absolute URL to resolve links against; the text does not depend on it.
    private const string PlaceholderUrl = "https://localhost/page.html";

    // Roles and class/id words that mark page furniture rather than content (ARIA landmarks; cookie banners).
    private static readonly string[] BoilerplateRoles = ["navigation", "banner", "contentinfo", "complementary", "search"];
    private static readonly string[] BoilerplateMarkers = ["cookie", "consent", "gdpr"];
    private static readonly HashSet<string> BoilerplateTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "nav", "header", "footer", "aside", "form", "dialog",
    };

    private readonly HtmlExtractionOptions _options = options ?? new HtmlExtractionOptions();

    /// <summary>Extracts the title and main text of <paramref name="html"/>.</summary>
    /// <param name="html">The page.</param>
    /// <param name="url">The page's URL, when known (Readability uses it to resolve links).</param>
    public HtmlExtraction Extract(string html, string? url = null)
    {
        if (_options.UseReadability && TryReadability(html, url) is { } article) return article;
        return Structural(html);
    }

    private HtmlExtraction? TryReadability(string html, string? url)
    {
        Article article;
        try
        {
            var pageUrl = url is not null && Uri.TryCreate(url, UriKind.Absolute, out _) ? url : PlaceholderUrl;
            article = new Reader(pageUrl, html).GetArticle();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // malformed pages that Readability chokes on still get the fallback
        }
        if (!article.IsReadable || string.IsNullOrWhiteSpace(article.Content)) return null;

        using var content = new HtmlParser().ParseDocument(article.Content);
        var text = HtmlBlockTextWriter.Write(content.Body ?? (INode)content);
        if (text.Length < _options.MinReadabilityChars) return null;
        var title = string.IsNullOrWhiteSpace(article.Title) ? null : article.Title.Trim();
        return new HtmlExtraction(title, WithTitle(title, text), HtmlExtractionMethod.Readability);
    }

    private HtmlExtraction Structural(string html)
    {
        using var document = new HtmlParser().ParseDocument(html);
        var root = (INode?)document.QuerySelector("main, [role=main]")
                   ?? (INode?)document.QuerySelector("article")
                   ?? (INode?)document.Body
                   ?? document;
        var text = HtmlBlockTextWriter.Write(root, IsBoilerplate);
        var title = string.IsNullOrWhiteSpace(document.Title) ? null : document.Title.Trim();
        return new HtmlExtraction(title, WithTitle(title, text), HtmlExtractionMethod.Structural);
    }

    private static bool IsBoilerplate(IElement element)
    {
        if (BoilerplateTags.Contains(element.LocalName)) return true;
        if (element.GetAttribute("role") is { } role && BoilerplateRoles.Contains(role.ToLowerInvariant())) return true;
        var marks = $"{element.Id} {element.ClassName}";
        foreach (var marker in BoilerplateMarkers)
            if (marks.Contains(marker, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private string WithTitle(string? title, string text)
    {
        // A page with a title and no text is empty: the title alone is not a document.
        if (!_options.IncludeTitle || title is null || text.Length == 0) return text;
        // Pages usually repeat the title as their first heading, often without the site name that the <title>
        // appends ("os — … interfaces — Python 3.12 documentation"); do not say it twice.
        var firstLine = text.AsSpan(0, text.IndexOf('\n') is var end and >= 0 ? end : text.Length);
        if (firstLine.StartsWith(title, StringComparison.OrdinalIgnoreCase) ||
            title.AsSpan().StartsWith(firstLine, StringComparison.OrdinalIgnoreCase))
            return text;
        return $"{title}\n\n{text}";
    }
}
