using static Llama.Curation.Tests.Filters.SampleDocuments;
using Llama.Curation.Filters;

namespace Llama.Curation.Tests.Filters;

public class C4FilterTests
{
    private readonly C4Filter _filter = new();

    // Five one-sentence lines: exactly C4's minimum.
    private static readonly string[] FiveSentences =
    [
        "The river rose quickly after the storm.",
        "Farmers moved their animals to higher ground.",
        "By morning the main road was under water.",
        "Volunteers filled sandbags near the old bridge.",
        "The water began to fall two days later.",
    ];

    private static string Page(params string[] extraLines) => string.Join('\n', FiveSentences.Concat(extraLines));

    [Fact]
    public void English_prose_is_kept_without_its_blank_lines()
    {
        var kept = Kept(_filter.Process(Doc(EnglishProse)));
        Assert.DoesNotContain("\n\n", kept.Text);
        Assert.Equal("2", kept.Tags["c4.lines_removed"]);
    }

    [Fact]
    public void A_clean_page_is_returned_unchanged() =>
        Assert.Equal(Page(), Kept(_filter.Process(Doc(Page()))).Text);

    [Fact]
    public void Lines_without_terminal_punctuation_or_ending_in_an_ellipsis_are_removed()
    {
        var kept = Kept(_filter.Process(Doc(Page("Read more about the flood here", "And then the rain came again...", "She asked \"why?\""))));
        Assert.Equal(Page("She asked \"why?\""), kept.Text);
        Assert.Equal("2", kept.Tags["c4.lines_removed"]);
    }

    [Fact]
    public void Lines_of_two_words_are_removed_and_three_words_stay()
    {
        var kept = Kept(_filter.Process(Doc(Page("Thanks everyone!", "Thanks again everyone!"))));
        Assert.Equal(Page("Thanks again everyone!"), kept.Text);
    }

    [Fact]
    public void Lines_mentioning_javascript_are_removed() =>
        Assert.Equal(Page(), Kept(_filter.Process(Doc(Page("Please enable JavaScript to view this page.")))).Text);

    [Fact]
    public void Cookie_and_terms_boilerplate_lines_are_removed()
    {
        var page = Page("This website uses cookies to improve your experience.", "Read our Privacy Policy before you continue.");
        Assert.Equal(Page(), Kept(_filter.Process(Doc(page))).Text);
    }

    [Fact]
    public void Lines_with_a_word_over_1000_characters_are_removed_and_1000_stay()
    {
        var kept = Kept(_filter.Process(Doc(Page($"This has {new string('x', 1001)} inside.", $"This has {new string('y', 1000)} inside."))));
        Assert.Equal(Page($"This has {new string('y', 1000)} inside."), kept.Text);
    }

    [Fact]
    public void Wikipedia_citation_marks_are_removed()
    {
        var kept = Kept(_filter.Process(Doc(Page("The bridge was rebuilt in 1952.[3][citation needed]"))));
        Assert.EndsWith("The bridge was rebuilt in 1952.", kept.Text);
    }

    [Fact]
    public void Lorem_ipsum_drops_the_document() =>
        AssertDropped("c4.lorem_ipsum", _filter.Process(Doc(Page("Lorem ipsum dolor sit amet, consectetur adipiscing elit."))));

    [Fact]
    public void A_curly_bracket_drops_the_document() =>
        AssertDropped("c4.curly_bracket", _filter.Process(Doc(Page("Call it like this: run({ fast: true })."))));

    [Fact]
    public void Document_rules_look_only_at_lines_that_survived_as_in_c4()
    {
        // A heading without punctuation is removed before the "lorem ipsum" check sees it.
        Kept(_filter.Process(Doc(Page("Lorem ipsum placeholder heading"))));
    }

    [Fact]
    public void Five_sentences_pass_and_four_are_dropped()
    {
        Kept(_filter.Process(Doc(Page())));
        AssertDropped("c4.too_few_sentences", _filter.Process(Doc(string.Join('\n', FiveSentences.Take(4)))));
    }

    [Fact]
    public void Sentences_are_counted_inside_lines_but_not_after_abbreviations()
    {
        // Two lines, five sentences; "Dr." and the initial "J." end none.
        const string twoLines = "Dr. Smith met J. Brown at noon. They talked for an hour. Then they left.\nIt rained. Nobody minded.";
        Kept(_filter.Process(Doc(twoLines)));
        AssertDropped("c4.too_few_sentences", _filter.Process(Doc("Dr. Smith met J. Brown at noon. They talked for an hour.\nIt rained. Nobody minded.")));
    }

    [Fact]
    public void Navigation_page_loses_every_line_and_is_dropped_for_too_few_sentences()
    {
        const string nav = "Home\nAbout us\nProducts\nBlog\nContact\nLogin\nRegister\nCart (0)\n© 2024 Example Ltd";
        AssertDropped("c4.too_few_sentences", _filter.Process(Doc(nav)));
    }
}
