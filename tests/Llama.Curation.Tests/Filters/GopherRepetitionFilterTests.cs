using static Llama.Curation.Tests.Filters.SampleDocuments;
using Llama.Curation.Filters;

namespace Llama.Curation.Tests.Filters;

public class GopherRepetitionFilterTests
{
    private static readonly Dictionary<int, double> NoNGramRules = [];

    private static readonly GopherRepetitionOptions NoRules = new()
    {
        MaxDuplicateLineFraction = null,
        MaxDuplicateParagraphFraction = null,
        MaxDuplicateLineCharFraction = null,
        MaxDuplicateParagraphCharFraction = null,
        MaxTopNGramCharFraction = NoNGramRules,
        MaxDuplicatedNGramCharFraction = NoNGramRules,
    };

    private static string Distinct(int i) => $"Paragraph {i} tells its own short story about item {i}.";

    [Fact]
    public void English_prose_passes() => Kept(new GopherRepetitionFilter().Process(Doc(EnglishProse)));

    [Fact]
    public void Defaults_are_gophers_table_a1()
    {
        var options = new GopherRepetitionOptions();
        Assert.Equal((0.3, 0.3, 0.2, 0.2), (options.MaxDuplicateLineFraction, options.MaxDuplicateParagraphFraction,
            options.MaxDuplicateLineCharFraction, options.MaxDuplicateParagraphCharFraction));
        Assert.Equal([0.20, 0.18, 0.16], options.MaxTopNGramCharFraction.OrderBy(p => p.Key).Select(p => p.Value));
        Assert.Equal([5, 6, 7, 8, 9, 10], options.MaxDuplicatedNGramCharFraction.Keys.Order());
        Assert.Equal([0.15, 0.14, 0.13, 0.12, 0.11, 0.10], options.MaxDuplicatedNGramCharFraction.OrderBy(p => p.Key).Select(p => p.Value));
    }

    [Fact]
    public void Three_repeated_paragraphs_in_ten_pass_and_four_are_dropped()
    {
        string Page(int repeats) => string.Join("\n\n",
            Enumerable.Range(0, 10).Select(i => i < repeats + 1 ? Distinct(0) : Distinct(i)));
        var filter = new GopherRepetitionFilter(NoRules with { MaxDuplicateParagraphFraction = 0.3 });
        Kept(filter.Process(Doc(Page(3))));
        AssertDropped("gopher_repetition.duplicate_paragraphs", filter.Process(Doc(Page(4))));
        AssertDropped("gopher_repetition.duplicate_paragraphs", new GopherRepetitionFilter().Process(Doc(Page(4))));
    }

    [Fact]
    public void Repeated_paragraph_chars_up_to_a_fifth_pass_and_more_are_dropped()
    {
        // A + "\n\n" + B + "\n\n" + B: the second B is repeated; |A| = 56, |B| = 20 gives 20 / 100 exactly.
        var a = new string('a', 56);
        var filter = new GopherRepetitionFilter(NoRules with { MaxDuplicateParagraphCharFraction = 0.2 });
        Kept(filter.Process(Doc($"{a}\n\n{new string('b', 20)}\n\n{new string('b', 20)}")));
        AssertDropped("gopher_repetition.duplicate_paragraph_chars",
            filter.Process(Doc($"{a}\n\n{new string('b', 21)}\n\n{new string('b', 21)}")));
    }

    [Fact]
    public void Three_repeated_lines_in_ten_pass_and_four_are_dropped()
    {
        string Page(int repeats) => string.Join("\n",
            Enumerable.Range(0, 10).Select(i => i < repeats + 1 ? Distinct(0) : Distinct(i)));
        var filter = new GopherRepetitionFilter(NoRules with { MaxDuplicateLineFraction = 0.3 });
        Kept(filter.Process(Doc(Page(3))));
        AssertDropped("gopher_repetition.duplicate_lines", filter.Process(Doc(Page(4))));
    }

    [Fact]
    public void Repeated_line_chars_up_to_a_fifth_pass_and_more_are_dropped()
    {
        // A + "\n" + B + "\n" + B with |A| = 58, |B| = 20: 20 / 100 exactly.
        var a = new string('a', 58);
        var filter = new GopherRepetitionFilter(NoRules with { MaxDuplicateLineCharFraction = 0.2 });
        Kept(filter.Process(Doc($"{a}\n{new string('b', 20)}\n{new string('b', 20)}")));
        AssertDropped("gopher_repetition.duplicate_line_chars",
            filter.Process(Doc($"{a}\n{new string('b', 21)}\n{new string('b', 21)}")));
    }

    [Fact]
    public void Top_2gram_fraction_is_its_spaced_length_times_its_count_over_the_text()
    {
        // "red fox" appears 3 times: 7 characters x 3 = 21 of 28.
        const string text = "red fox red fox red fox blue";
        var atThreshold = new GopherRepetitionFilter(NoRules with { MaxTopNGramCharFraction = new Dictionary<int, double> { [2] = 21 / 28.0 } });
        Kept(atThreshold.Process(Doc(text)));
        var belowIt = new GopherRepetitionFilter(NoRules with { MaxTopNGramCharFraction = new Dictionary<int, double> { [2] = 20 / 28.0 } });
        AssertDropped("gopher_repetition.top_2gram", belowIt.Process(Doc(text)));
    }

    [Fact]
    public void Top_ngram_counts_punctuation_tokens_as_words()
    {
        // Tokens: a , a , a , b — the top 2-gram "a ," (3 characters) appears 3 times: 9 of 10.
        const string text = "a, a, a, b";
        var filter = new GopherRepetitionFilter(NoRules with { MaxTopNGramCharFraction = new Dictionary<int, double> { [2] = 8 / 10.0 } });
        AssertDropped("gopher_repetition.top_2gram", filter.Process(Doc(text)));
        var atIt = new GopherRepetitionFilter(NoRules with { MaxTopNGramCharFraction = new Dictionary<int, double> { [2] = 9 / 10.0 } });
        Kept(atIt.Process(Doc(text)));
    }

    [Fact]
    public void Duplicated_5gram_chars_skip_past_each_repeat_and_join_without_spaces()
    {
        // The second "one two three four five" repeats the first: 19 characters without spaces, of 51.
        const string text = "one two three four five one two three four five six";
        var atThreshold = new GopherRepetitionFilter(NoRules with { MaxDuplicatedNGramCharFraction = new Dictionary<int, double> { [5] = 19 / 51.0 } });
        Kept(atThreshold.Process(Doc(text)));
        var belowIt = new GopherRepetitionFilter(NoRules with { MaxDuplicatedNGramCharFraction = new Dictionary<int, double> { [5] = 18 / 51.0 } });
        AssertDropped("gopher_repetition.duplicated_5gram", belowIt.Process(Doc(text)));
    }

    [Fact]
    public void Overlapping_repeats_are_counted_once()
    {
        // Ten "x": 5-grams repeat from position 1; the scan adds positions 1-5 (5 chars), jumps to 6 and stops
        // (6 > 10 - 5): 5 of 19 characters, not 6 x 5.
        var text = Words(10, "x");
        var filter = new GopherRepetitionFilter(NoRules with { MaxDuplicatedNGramCharFraction = new Dictionary<int, double> { [5] = 5 / 19.0 } });
        Kept(filter.Process(Doc(text)));
        var stricter = new GopherRepetitionFilter(NoRules with { MaxDuplicatedNGramCharFraction = new Dictionary<int, double> { [5] = 4 / 19.0 } });
        AssertDropped("gopher_repetition.duplicated_5gram", stricter.Process(Doc(text)));
    }

    [Fact]
    public void Spam_repeating_a_phrase_is_dropped_by_the_default_ngram_rules()
    {
        var spam = string.Join(" ", Enumerable.Range(0, 40).Select(i => $"buy cheap watches online now deal {i}."));
        var reason = Dropped(new GopherRepetitionFilter().Process(Doc(spam))).Reason;
        Assert.StartsWith("gopher_repetition.", reason);
        Assert.Matches("top_[234]gram|duplicated_(5|6|7|8|9|10)gram", reason);
    }
}
