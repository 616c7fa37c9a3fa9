using static Llama.Curation.Tests.Filters.SampleDocuments;
using Llama.Curation.Filters;

namespace Llama.Curation.Tests.Filters;

public class FineWebFilterTests
{
    private readonly FineWebFilter _filter = new();

    private static readonly FineWebFilterOptions NoRules = new()
    {
        MinLinePunctuationRatio = null, MaxShortLineRatio = null, MaxDuplicateLineCharRatio = null, MaxNewlineToWordRatio = null,
    };

    // A distinct line longer than 30 characters; with a full stop or without one.
    private static string LongLine(int i, bool punctuated = true) =>
        $"Line number {i} describes the harbour at dusk" + (punctuated ? "." : "");

    [Fact]
    public void English_prose_passes() => Kept(_filter.Process(Doc(EnglishProse)));

    [Fact]
    public void One_punctuated_line_in_eight_passes_and_one_in_nine_is_dropped()
    {
        // 1/8 = 0.125 > 0.12 passes; 1/9 = 0.111 <= 0.12 drops.
        string Page(int lines) => string.Join('\n', Enumerable.Range(0, lines).Select(i => LongLine(i, punctuated: i == 0)));
        Kept(_filter.Process(Doc(Page(8))));
        AssertDropped("fineweb.line_punct_ratio", _filter.Process(Doc(Page(9))));
    }

    [Fact]
    public void Exactly_the_punctuation_threshold_is_dropped_as_in_datatrove()
    {
        // 0.25 with the threshold set to 0.25: datatrove drops at or below.
        var page = string.Join('\n', Enumerable.Range(0, 4).Select(i => LongLine(i, punctuated: i == 0)));
        var filter = new FineWebFilter(NoRules with { MinLinePunctuationRatio = 0.25 });
        AssertDropped("fineweb.line_punct_ratio", filter.Process(Doc(page)));
    }

    [Fact]
    public void Sixty_six_short_lines_in_a_hundred_pass_and_sixty_seven_are_dropped()
    {
        // A line of exactly 30 characters counts as short.
        const string shortLine = "Short line number {0:000} is here.";
        Assert.Equal(30, string.Format(shortLine, 1).Length);
        string Page(int shortLines) => string.Join('\n',
            Enumerable.Range(0, 100).Select(i => i < shortLines ? string.Format(shortLine, i) : LongLine(i)));
        Kept(_filter.Process(Doc(Page(66))));
        AssertDropped("fineweb.short_line_ratio", _filter.Process(Doc(Page(67))));
    }

    [Fact]
    public void Repeated_line_chars_below_one_percent_pass_and_one_percent_is_dropped()
    {
        // 19 distinct 50-character lines, a 10-character line twice, and a closing line: the repeat is 10 of the
        // non-newline characters, 1000 with a 30-character closing line (0.01, dropped), 1001 with 31 (kept).
        string Page(int closingLength)
        {
            var lines = Enumerable.Range(0, 19).Select(i => $"Filler line {i:00} keeps this page long enough".PadRight(49, '!') + ".").ToList();
            Assert.All(lines, l => Assert.Equal(50, l.Length));
            lines.Add("Same line.");
            lines.Add("Same line.");
            lines.Add(new string('z', closingLength - 1) + ".");
            return string.Join('\n', lines);
        }
        Kept(_filter.Process(Doc(Page(31))));
        AssertDropped("fineweb.duplicate_line_chars", _filter.Process(Doc(Page(30))));
    }

    [Fact]
    public void Newlines_up_to_three_tenths_of_tokens_pass_and_more_are_dropped()
    {
        // Each line "WordN here." is 3 tokens: 10 lines = 9 newlines / 30 tokens = 0.3; 11 lines = 10 / 33.
        string Page(int lines) => string.Join('\n', Enumerable.Range(0, lines).Select(i => $"Word{i} here."));
        var filter = new FineWebFilter(NoRules with { MaxNewlineToWordRatio = 0.3 });
        Kept(filter.Process(Doc(Page(10))));
        AssertDropped("fineweb.newline_ratio", filter.Process(Doc(Page(11))));
    }

    [Fact]
    public void Navigation_page_is_dropped_for_line_punctuation()
    {
        const string nav = "Home\nAbout us\nProducts\nBlog\nContact\nLogin\nRegister\nCart (0)\n© 2024 Example Ltd";
        AssertDropped("fineweb.line_punct_ratio", _filter.Process(Doc(nav)));
    }

    [Fact]
    public void Punctuated_list_of_short_items_is_dropped_for_short_lines()
    {
        var list = string.Join('\n', Enumerable.Range(0, 20).Select(i => $"Item {i} is in stock."));
        AssertDropped("fineweb.short_line_ratio", _filter.Process(Doc(list)));
    }
}
