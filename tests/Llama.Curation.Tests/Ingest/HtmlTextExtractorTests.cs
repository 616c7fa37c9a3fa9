using Llama.Curation.Ingest;

namespace Llama.Curation.Tests.Ingest;

public class HtmlTextExtractorTests
{
    private static readonly HtmlTextExtractor Extractor = new();

    [Fact]
    public void News_article_keeps_the_story_and_drops_banner_menu_sidebar_and_footer()
    {
        var text = Extractor.Extract(HtmlPages.NewsArticle).Text;

        Assert.Contains("The small bakery on Mill Lane", text);
        Assert.Contains("“We just bake the bread we like to eat,”", text); // &ldquo; &rdquo; decoded
        foreach (var boilerplate in new[] { "cookies", "Weather", "Contact us", "Most read", "Road closures", "All rights reserved", "analytics", "font-family" })
            Assert.DoesNotContain(boilerplate, text);
    }

    [Fact]
    public void News_article_paragraphs_stay_in_order_separated_by_blank_lines()
    {
        var text = Extractor.Extract(HtmlPages.NewsArticle).Text;
        var blocks = text.Split("\n\n");

        var order = new[] { "The small bakery", "Owner Maria Jensen", "What the judges said", "The panel tasted", "The expansion will" }
            .Select(start => Array.FindIndex(blocks, b => b.StartsWith(start, StringComparison.Ordinal)))
            .ToArray();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.OrderBy(i => i), order);
        // Inline line breaks of the source collapse: one paragraph is one line.
        Assert.Single(blocks, b => b.StartsWith("The small bakery", StringComparison.Ordinal) && !b.Contains('\n'));
    }

    [Fact]
    public void List_items_are_lines_of_their_own()
    {
        var lines = Extractor.Extract(HtmlPages.NewsArticle).Text.Split('\n');

        Assert.Contains("Best sourdough loaf", lines);
        Assert.Contains("Best use of local flour", lines);
    }

    [Fact]
    public void Title_comes_first_once_with_entities_decoded()
    {
        var extraction = Extractor.Extract(HtmlPages.NewsArticle);

        Assert.Equal("Village bakery wins regional prize & plans expansion", extraction.Title);
        Assert.StartsWith("Village bakery wins regional prize & plans expansion\n\n", extraction.Text);
        Assert.Single(extraction.Text.Split('\n'), l => l.Contains("Village bakery wins", StringComparison.Ordinal));
    }

    [Fact]
    public void Python_docs_page_keeps_prose_definitions_and_code_without_sphinx_navigation()
    {
        var text = Extractor.Extract(HtmlPages.PythonDocsOs).Text;
        var lines = text.Split('\n');

        Assert.Contains("This module provides a portable way of using operating system dependent functionality.", text);
        Assert.Contains("see open(), if you want to manipulate paths, see the os.path module", text);
        Assert.Equal("os — Miscellaneous operating system interfaces", lines[0]); // the <h1>, not the <title> again
        Assert.Contains("Process Parameters", lines); // the heading's "¶" permalink is gone
        Assert.Contains("Return a string representing the current working directory.", lines);
        Assert.Contains(">>> import os", lines);     // <pre> keeps its own line breaks
        Assert.Contains(">>> os.getcwd()", lines);
        foreach (var boilerplate in new[] { "Quick search", "General Index", "Table of Contents", "Report a Bug", "Python Software Foundation License" })
            Assert.DoesNotContain(boilerplate, text);
    }

    [Fact]
    public void Fallback_takes_main_without_navigation_when_readability_finds_nothing()
    {
        // Too short for Readability's 140-character threshold: the structural fallback must answer.
        const string html = """
            <html><head><title>Opening hours</title></head><body>
            <nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
            <div class="cookie-notice">We use cookies.</div>
            <main><h1>Opening hours</h1><p>Monday to Friday, 9&nbsp;to&nbsp;5.</p><p>Closed on Sundays.</p></main>
            <footer>Imprint</footer>
            </body></html>
            """;

        var extraction = Extractor.Extract(html);

        Assert.Equal(HtmlExtractionMethod.Structural, extraction.Method);
        Assert.Equal("Opening hours\n\nMonday to Friday, 9 to 5.\n\nClosed on Sundays.", extraction.Text);
    }

    [Fact]
    public void Fallback_without_main_uses_the_body_minus_landmarks_and_scripts()
    {
        var extractor = new HtmlTextExtractor(new HtmlExtractionOptions { UseReadability = false, IncludeTitle = false });
        const string html = """
            <body><header>Site name</header><div role="navigation">Menu</div>
            <script>var x = "<p>not text</p>";</script>
            <div>First line<br>second line</div><p>A paragraph.</p><footer>Footer</footer></body>
            """;

        Assert.Equal("First line\nsecond line\n\nA paragraph.", extractor.Extract(html).Text);
    }

    [Fact]
    public void Page_without_text_extracts_to_empty_even_with_a_title()
    {
        const string html = "<html><head><title>Empty</title></head><body><nav>Home</nav><script>1</script></body></html>";

        Assert.Equal("", Extractor.Extract(html).Text);
    }
}
