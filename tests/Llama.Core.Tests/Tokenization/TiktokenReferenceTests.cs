using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Tokenization;

public class TiktokenReferenceTests
{
    private static Llama3Tokenizer Tokenizer => TokenizerReference.Tokenizer;

    [Fact]
    public void Reference_has_the_21_cases() => Assert.Equal(21, TokenizerReference.Cases.Count);

    [Theory]
    [MemberData(nameof(TokenizerReference.CaseIndices), MemberType = typeof(TokenizerReference))]
    public void Encodes_like_tiktoken_reference(int caseIndex)
    {
        var c = TokenizerReference.Cases[caseIndex];
        Assert.Equal(c.Ids, Tokenizer.Encode(c.Text));
    }

    [Theory]
    [MemberData(nameof(TokenizerReference.CaseIndices), MemberType = typeof(TokenizerReference))]
    public void Decodes_reference_ids_to_the_text(int caseIndex)
    {
        var c = TokenizerReference.Cases[caseIndex];
        Assert.Equal(c.Text, Tokenizer.Decode(c.Ids));
    }

    [Fact]
    public void Special_token_map_equals_the_reference()
    {
        Assert.Equal(TokenizerReference.SpecialTokens.OrderBy(p => p.Value), Tokenizer.SpecialTokens.OrderBy(p => p.Value));
        Assert.Equal(256, Tokenizer.SpecialTokens.Count);
    }

    [Fact]
    public void Vocabulary_is_base_ranks_plus_256_specials()
    {
        Assert.Equal(TokenizerReference.NumBaseTokens, Tokenizer.BaseVocabSize);
        Assert.Equal(TokenizerReference.NumBaseTokens + 256, Tokenizer.VocabSize);
    }

    [Fact]
    public void Named_ids_follow_Metas_layout()
    {
        var n = TokenizerReference.NumBaseTokens;
        Assert.Equal(
            (n, n + 1, n + 6, n + 7, n + 8, n + 9),
            (Tokenizer.BosId, Tokenizer.EosId, Tokenizer.StartHeaderId, Tokenizer.EndHeaderId, Tokenizer.EomId, Tokenizer.EotId));
    }

    [Fact]
    public void Split_pattern_is_the_reference_pattern() =>
        Assert.Equal(Llama3SplitPattern.Value, TokenizerReference.Pattern);

    [Fact]
    public void IsSpecial_is_true_only_for_special_ids()
    {
        var n = TokenizerReference.NumBaseTokens;
        Assert.False(Tokenizer.IsSpecial(n - 1));
        Assert.True(Tokenizer.IsSpecial(n));
        Assert.True(Tokenizer.IsSpecial(n + 255));
        Assert.False(Tokenizer.IsSpecial(n + 256));
        Assert.False(Tokenizer.IsSpecial(-1));
    }

    [Fact]
    public void TokenToString_shows_text_specials_and_partial_bytes()
    {
        Assert.Equal(" ", Tokenizer.TokenToString(32));
        Assert.Equal("<|eot_id|>", Tokenizer.TokenToString(Tokenizer.EotId));
        Assert.Equal("\\xE2", Tokenizer.TokenToString(0xE2));
        Assert.Null(Tokenizer.TokenToString(Tokenizer.VocabSize));
    }

    [Fact]
    public void Bos_and_eos_flags_wrap_the_ids()
    {
        var ids = Tokenizer.Encode("hi", bos: true, eos: true);
        Assert.Equal(Tokenizer.BosId, ids[0]);
        Assert.Equal(Tokenizer.EosId, ids[^1]);
        Assert.Equal(Tokenizer.Encode("hi"), ids.Skip(1).Take(ids.Count - 2));
    }

    [Fact]
    public void Decode_rejects_unknown_ids() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([Tokenizer.VocabSize]));

    [Fact]
    public void Long_runs_are_cut_every_25000_chars_like_Metas_encode()
    {
        // 60K letters form one pre-token; Meta cuts it at 25K and 50K. The cuts fall inside "abc" units, so the
        // ids differ from encoding the run whole (40,001 vs 40,000 tokens with the fixture vocabulary).
        var run = string.Concat(Enumerable.Repeat("abc", 20_000));
        int[] expected =
        [
            .. Tokenizer.Encode(run[..25_000]), .. Tokenizer.Encode(run[25_000..50_000]), .. Tokenizer.Encode(run[50_000..]),
        ];
        Assert.Equal(40_001, expected.Length);
        Assert.Equal(expected, Tokenizer.Encode(run));
        Assert.Equal(run, Tokenizer.Decode(expected));
    }
}
