using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Tokenization;

public class SpecialTokenTests
{
    private static Llama3Tokenizer Tokenizer => TokenizerReference.Tokenizer;

    [Fact]
    public void Special_string_inside_text_becomes_its_single_id()
    {
        int[] expected = [.. Tokenizer.Encode("before"), Tokenizer.EotId, .. Tokenizer.Encode("after")];
        Assert.Equal(expected, Tokenizer.Encode("before<|eot_id|>after"));
    }

    [Fact]
    public void Every_special_string_encodes_to_exactly_its_id()
    {
        foreach (var (text, id) in Tokenizer.SpecialTokens)
            Assert.Equal(new[] { id }, Tokenizer.Encode(text));
    }

    [Fact]
    public void Without_allowSpecial_special_strings_are_ordinary_text()
    {
        var ids = Tokenizer.Encode("x<|eot_id|>y", allowSpecial: false);
        Assert.DoesNotContain(ids, Tokenizer.IsSpecial);
        Assert.Equal("x<|eot_id|>y", Tokenizer.Decode(ids));
        Assert.True(ids.Count > 3);
    }

    [Fact]
    public void Near_miss_of_a_special_string_is_ordinary_text()
    {
        var ids = Tokenizer.Encode("<|eot_id|");
        Assert.DoesNotContain(ids, Tokenizer.IsSpecial);
    }

    [Fact]
    public void Adjacent_specials_stay_separate_ids() =>
        Assert.Equal(new[] { Tokenizer.EotId, Tokenizer.EotId, Tokenizer.BosId }, Tokenizer.Encode("<|eot_id|><|eot_id|><|begin_of_text|>"));

    [Fact]
    public void Specials_stay_whole_after_many_distinct_words()
    {
        // Microsoft.ML's TiktokenTokenizer keeps specials only in its LRU word cache; after enough distinct
        // words (its cache holds 8192) they fall out. A fresh instance makes the history deterministic.
        var tokenizer = Llama3Tokenizer.FromRanks(TokenizerReference.Tokenizer.GetRanks());
        for (var i = 0; i < 10_000; i++) tokenizer.Encode(LettersOnlyWord(i));
        Assert.Equal(new[] { tokenizer.EotId }, tokenizer.Encode("<|eot_id|>"));
    }

    /// <summary>A distinct one-piece word per number ("aaaab" for 1): digits would be split off by the regex.</summary>
    private static string LettersOnlyWord(int i) => string.Concat(i.ToString("D5").Select(d => (char)('a' + d - '0')));
}
