using Llama.Core.Tokenization;
using Llama.Interop.Gguf;

namespace Llama.Interop.Tests.Gguf;

public sealed class GgufVocabularyTests
{
    [Fact]
    public void Merges_are_recovered_from_ranks_in_rank_order()
    {
        // ranks: a b c ab bc abc(built as ab+c since ab ranks before bc) Ġa
        string[] tokens = ["a", "b", "c", "Ġ", "ab", "bc", "abc", "Ġa"];
        var merges = GgufVocabulary.MergesFromRanks(tokens);
        Assert.Equal(["a b", "b c", "ab c", "Ġ a"], merges);
    }

    [Fact]
    public void A_rank_that_no_merge_of_lower_ranks_builds_is_an_error()
    {
        string[] tokens = ["a", "b", "c", "abc"];
        Assert.Throws<GgufExportException>(() => GgufVocabulary.MergesFromRanks(tokens));
    }

    [Fact]
    public void Tokens_use_gpt2_byte_spelling_specials_are_control_and_padding_is_unused()
    {
        var tokenizer = Llama3Tokenizer.Load(TestModels.TokenizerModel);
        var vocabulary = GgufVocabulary.From(tokenizer, tokenizer.VocabSize + 4);
        var ranks = tokenizer.GetRanks();
        int space = ranks.ToList().FindIndex(r => r.Length == 1 && r[0] == (byte)' ');
        Assert.Equal("Ġ", vocabulary.Tokens[space]);
        Assert.Equal("<|begin_of_text|>", vocabulary.Tokens[tokenizer.BosId]);
        Assert.Equal(GgufVocabulary.Control, vocabulary.TokenTypes[tokenizer.EotId]);
        Assert.Equal(GgufVocabulary.Normal, vocabulary.TokenTypes[0]);
        Assert.Equal($"[PAD{tokenizer.VocabSize}]", vocabulary.Tokens[tokenizer.VocabSize]);
        Assert.Equal(GgufVocabulary.Unused, vocabulary.TokenTypes[^1]);
        // Every multi-byte rank has exactly one merge.
        Assert.Equal(ranks.Count(r => r.Length > 1), vocabulary.Merges.Count);
    }

    [Fact]
    public void A_model_vocabulary_smaller_than_the_tokenizer_is_refused()
    {
        var tokenizer = Llama3Tokenizer.Load(TestModels.TokenizerModel);
        var e = Assert.Throws<GgufExportException>(() => GgufVocabulary.From(tokenizer, 512));
        Assert.Contains("vocab_size is 512", e.Message);
    }
}
