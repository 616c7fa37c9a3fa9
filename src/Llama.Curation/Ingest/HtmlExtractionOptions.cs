namespace Llama.Curation.Ingest;

/// <summary>Options of <see cref="HtmlTextExtractor"/>.</summary>
public sealed record HtmlExtractionOptions
{
    /// <summary>Try Readability (SmartReader) first; when false, always use the structural fallback.</summary>
    public bool UseReadability { get; init; } = true;

    /// <summary>Put the page title on the first line (unless the text already starts with it).</summary>
    public bool IncludeTitle { get; init; } = true;

    /// <summary>
    /// Readability output shorter than this many characters counts as "found nothing" and the fallback runs.
    /// Readability's own default for a readable page is 140 characters (Mozilla Readability's <c>charThreshold</c>
    /// is 500 for candidate scoring; <c>isProbablyReaderable</c> uses 140).
    /// </summary>
    public int MinReadabilityChars { get; init; } = 140;
}

/// <summary>How the main text of a page was found.</summary>
public enum HtmlExtractionMethod
{
    /// <summary>Readability (SmartReader) picked the article.</summary>
    Readability,

    /// <summary>The <c>main</c>/<c>article</c>/<c>body</c> element minus navigation, headers, footers and banners.</summary>
    Structural,
}

/// <summary>The text of one HTML page.</summary>
/// <param name="Title">The page title, when it has one.</param>
/// <param name="Text">Title line (when asked), then the main text: blocks separated by blank lines, headings and list items on their own lines.</param>
/// <param name="Method">Which extractor produced <paramref name="Text"/>.</param>
public sealed record HtmlExtraction(string? Title, string Text, HtmlExtractionMethod Method);
