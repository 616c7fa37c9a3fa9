using Llama.Core.Generation;
using Llama.Core.Tests.Model;
using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Generation;

/// <summary>The fixture model (vocab 512) with the fixture tokenizer (whose first 512 ranks decode to bytes).</summary>
public class StreamingTextGeneratorTests
{
    private static readonly int[] Prompt = [1, 300, 301, 302];

    private static (string Text, FinishReason Finish) Run(SamplingOptions options)
    {
        using var model = HfReference.LoadTinyModel();
        var tokenizer = Llama3Tokenizer.Load(Path.Combine(Fixtures.Tokenizer, "tokenizer.model"));
        var deltas = new StreamingTextGenerator(new LlamaGenerator(model), tokenizer).Generate(Prompt, options).ToList();
        return (string.Concat(deltas.Select(d => d.Text)), deltas[^1].Finish);
    }

    [Fact]
    public void Text_equals_the_decoded_tokens_and_ends_for_length()
    {
        using var model = HfReference.LoadTinyModel();
        var tokenizer = Llama3Tokenizer.Load(Path.Combine(Fixtures.Tokenizer, "tokenizer.model"));
        var options = SamplingOptions.Greedy with { MaxNewTokens = 30 };
        var ids = new LlamaGenerator(model).Generate(Prompt, options).Select(t => t.Id).ToList();
        var (text, finish) = Run(options);
        Assert.Equal(tokenizer.Decode(ids), text);
        Assert.Equal(FinishReason.Length, finish);
    }

    [Fact]
    public void A_stop_string_ends_the_text_before_it()
    {
        var (full, _) = Run(SamplingOptions.Greedy with { MaxNewTokens = 30 });
        Assert.True(full.Length >= 12, $"need some text to cut: '{full}'");
        string stop = full.Substring(8, 3);
        int expectedEnd = full.IndexOf(stop, StringComparison.Ordinal);
        var (cut, finish) = Run(SamplingOptions.Greedy with { MaxNewTokens = 30, StopStrings = [stop] });
        Assert.Equal(full[..expectedEnd], cut);
        Assert.Equal(FinishReason.Stop, finish);
    }

    [Fact]
    public void A_stop_token_ends_generation_and_is_not_printed()
    {
        using var model = HfReference.LoadTinyModel();
        var options = SamplingOptions.Greedy with { MaxNewTokens = 30 };
        var ids = new LlamaGenerator(model).Generate(Prompt, options).Select(t => t.Id).ToList();
        int stopId = ids[5];
        var tokens = new LlamaGenerator(model).Generate(Prompt, options with { StopTokenIds = [stopId] }).ToList();
        Assert.Equal(ids.IndexOf(stopId) + 1, tokens.Count);
        Assert.Equal(FinishReason.Stop, tokens[^1].Finish);

        var tokenizer = Llama3Tokenizer.Load(Path.Combine(Fixtures.Tokenizer, "tokenizer.model"));
        var (text, finish) = Run(options with { StopTokenIds = [stopId] });
        Assert.Equal(tokenizer.Decode(ids.Take(ids.IndexOf(stopId))), text);
        Assert.Equal(FinishReason.Stop, finish);
    }
}
