using Llama.Alignment.Data;
using Llama.Core.Tokenization;

namespace Llama.Alignment.Tests.Data;

public class ChatEncoderTests
{
    private static readonly ChatEncoder Encoder = new(TestTokenizer.Instance);

    [Fact]
    public void Sft_mask_covers_exactly_the_assistant_contents_and_their_eot()
    {
        var example = new ChatExample("x", "t", [new("system", "Be brief."), new("user", "What is 2 + 3?"), new("assistant", "5"), new("user", "And 1 + 1?"), new("assistant", "2")]);
        var encoded = Encoder.Encode(example);
        var tokenizer = TestTokenizer.Instance;

        // The ids are the chat template's, token for token.
        Assert.Equal(Llama3ChatTemplate.Encode(tokenizer, example.Messages, addGenerationPrompt: false).Ids, encoded.Ids);
        // The targets, read back, are each assistant content followed by its eot; nothing else.
        var targetText = tokenizer.Decode(encoded.Ids.Where((_, i) => encoded.Targets[i]));
        Assert.Equal("5<|eot_id|>2<|eot_id|>", targetText);
        // Headers are never targets, not even the assistant's.
        Assert.DoesNotContain(encoded.Ids.Select((id, i) => (id, i)), p => encoded.Targets[p.i] && (p.id == tokenizer.StartHeaderId || p.id == tokenizer.EndHeaderId || p.id == tokenizer.BosId));
    }

    [Fact]
    public void Prompt_plus_reply_equals_the_whole_conversation()
    {
        var pair = new PreferencePair("p", "t", [new("user", "Convert 3 km to m.")], "3000", "300");
        var encoded = Encoder.Encode(pair);
        var whole = Encoder.Encode(new ChatExample("c", "t", [new("user", "Convert 3 km to m."), new("assistant", "3000")]));
        Assert.Equal(whole.Ids, encoded.Prompt.Concat(encoded.Chosen).ToArray());
        Assert.Equal(TestTokenizer.Instance.EotId, encoded.Chosen[^1]);
        Assert.Equal("3000", Encoder.DecodeReply(encoded.Chosen));
    }

    [Fact]
    public void Overlong_examples_are_skipped_or_truncated_and_counted()
    {
        var shortOne = Encoder.Encode(new ChatExample("s", "t", [new("user", "Hi"), new("assistant", "Hello")]));
        var longOne = Encoder.Encode(new ChatExample("l", "t", [new("user", "Hi"), new("assistant", string.Join(" ", Enumerable.Repeat("banana", 50)))]));
        int limit = shortOne.Ids.Length + 3;

        var (skipped, skipCounts) = ContextFit.Conversations([shortOne, longOne], limit, OverlongPolicy.Skip);
        Assert.Equal(["s"], skipped.Select(e => e.Id));
        Assert.Equal(new FitCounts(1, 0, 1), skipCounts);

        var (truncated, truncateCounts) = ContextFit.Conversations([shortOne, longOne], limit, OverlongPolicy.Truncate);
        Assert.Equal(new FitCounts(1, 1, 0), truncateCounts);
        Assert.Equal(limit, truncated[1].Ids.Length);

        // A prompt that alone fills the context cannot be truncated into a trainable pair.
        var pair = Encoder.Encode(new PreferencePair("p", "t", [new("user", string.Join(" ", Enumerable.Repeat("cherry", 40)))], "a", "b"));
        var (_, pairCounts) = ContextFit.Preferences([pair], pair.Prompt.Length, OverlongPolicy.Truncate);
        Assert.Equal(new FitCounts(0, 0, 1), pairCounts);
    }
}
