using static Llama.Curation.Tests.Filters.SampleDocuments;
using Llama.Curation.Filters;

namespace Llama.Curation.Tests.Filters;

public class GopherQualityFilterTests
{
    private readonly GopherQualityFilter _filter = new();

    // "the garden" pairs: mean word length 4.5, half the words stop words, all alphabetic.
    private static string Garden(int words) => Words(words, "the", "garden");

    [Fact]
    public void English_prose_passes() => Kept(_filter.Process(Doc(EnglishProse, "en")));

    [Fact]
    public void Fifty_words_pass_and_forty_nine_are_dropped_for_word_count()
    {
        Kept(_filter.Process(Doc(Garden(50))));
        AssertDropped("gopher_quality.word_count", _filter.Process(Doc(Garden(49))));
    }

    [Fact]
    public void A_hundred_thousand_words_pass_and_one_more_is_dropped_for_word_count()
    {
        Kept(_filter.Process(Doc(Garden(100_000))));
        AssertDropped("gopher_quality.word_count", _filter.Process(Doc(Garden(100_001))));
    }

    [Fact]
    public void Punctuation_tokens_do_not_count_as_words()
    {
        // 49 words and 49 commas: still 49 words.
        var text = string.Join(", ", Enumerable.Repeat("garden", 47)) + " the the";
        AssertDropped("gopher_quality.word_count", _filter.Process(Doc(text)));
    }

    [Fact]
    public void Mean_word_length_of_three_passes_and_below_three_is_dropped()
    {
        Kept(_filter.Process(Doc(Words(60, "the"))));
        AssertDropped("gopher_quality.mean_word_length", _filter.Process(Doc(Words(59, "the") + " to")));
    }

    [Fact]
    public void Mean_word_length_of_ten_passes_and_above_ten_is_dropped()
    {
        // 57 x 10 letters + 2 x "the" + one 24-letter word = 600 characters over 60 words.
        var exactlyTen = Words(57, "binoculars") + " the the " + new string('a', 24);
        Kept(_filter.Process(Doc(exactlyTen)));
        var aboveTen = Words(57, "binoculars") + " the the " + new string('a', 25);
        AssertDropped("gopher_quality.mean_word_length", _filter.Process(Doc(aboveTen)));
    }

    [Fact]
    public void Hash_symbols_up_to_a_tenth_of_tokens_pass_and_more_are_dropped()
    {
        // Each '#' is a token of its own: 54 words + 6 hashes = 0.1 exactly; 7 hashes = 0.115.
        Kept(_filter.Process(Doc(Garden(54) + " " + Words(6, "#"))));
        AssertDropped("gopher_quality.symbol_ratio", _filter.Process(Doc(Garden(54) + " " + Words(7, "#"))));
    }

    [Fact]
    public void Ellipses_up_to_a_tenth_of_tokens_pass_and_more_are_dropped()
    {
        // 52 words + 6 ellipses + "end" + "." = 60 tokens: 0.1 exactly; 7 ellipses = 0.115.
        Kept(_filter.Process(Doc(Garden(52) + " " + Words(6, "…") + " end.")));
        AssertDropped("gopher_quality.symbol_ratio", _filter.Process(Doc(Garden(52) + " " + Words(7, "...") + " end.")));
    }

    [Fact]
    public void Nine_bullet_lines_in_ten_pass_and_ten_are_dropped()
    {
        var line = Garden(8);
        var nineBullets = string.Join('\n', Enumerable.Range(0, 10).Select(i => i == 0 ? line : "• " + line));
        Kept(_filter.Process(Doc(nineBullets)));
        var allBullets = string.Join('\n', Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? "- " : "• ") + line));
        AssertDropped("gopher_quality.bullet_lines", _filter.Process(Doc(allBullets)));
    }

    [Fact]
    public void Three_ellipsis_lines_in_ten_pass_and_four_are_dropped()
    {
        string Page(int ellipsisLines) => string.Join('\n',
            Enumerable.Range(0, 10).Select(i => Garden(8) + (i < ellipsisLines ? " ..." : ".")));
        Kept(_filter.Process(Doc(Page(3))));
        AssertDropped("gopher_quality.ellipsis_lines", _filter.Process(Doc(Page(4))));
    }

    [Fact]
    public void Four_fifths_alphabetic_tokens_pass_and_fewer_are_dropped()
    {
        // 52 words with letters + 13 numbers = 0.8 exactly; 14 numbers = 0.788.
        Kept(_filter.Process(Doc(Garden(52) + " " + Words(13, "1234"))));
        AssertDropped("gopher_quality.alphabetic_words", _filter.Process(Doc(Garden(52) + " " + Words(14, "1234"))));
    }

    [Fact]
    public void Two_stop_words_pass_and_one_is_dropped()
    {
        Kept(_filter.Process(Doc(Words(58, "garden") + " of with")));
        AssertDropped("gopher_quality.stop_words", _filter.Process(Doc(Words(59, "garden") + " of")));
    }

    [Fact]
    public void Stop_words_are_matched_case_sensitively_as_in_datatrove()
    {
        AssertDropped("gopher_quality.stop_words", _filter.Process(Doc(Words(58, "garden") + " The With")));
    }

    [Fact]
    public void English_rules_apply_to_english_and_unknown_language_but_not_to_others()
    {
        var noStopWords = Words(60, "Garten");
        AssertDropped("gopher_quality.stop_words", _filter.Process(Doc(noStopWords, "en")));
        AssertDropped("gopher_quality.stop_words", _filter.Process(Doc(noStopWords, language: null)));
        Kept(_filter.Process(Doc(noStopWords, "de")));

        var noUnknownAsEnglish = new GopherQualityFilter(new GopherQualityOptions { UnknownLanguageIsEnglish = false });
        Kept(noUnknownAsEnglish.Process(Doc(noStopWords, language: null)));
    }

    [Fact]
    public void Navigation_page_is_dropped_for_word_count()
    {
        const string nav = "Home\nAbout us\nProducts\nBlog\nContact\nLogin\nRegister\nCart (0)\n© 2024 Example Ltd";
        AssertDropped("gopher_quality.word_count", _filter.Process(Doc(nav)));
    }
}
