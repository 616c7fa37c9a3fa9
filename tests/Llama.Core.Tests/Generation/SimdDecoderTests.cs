using Llama.Core.Generation;
using Llama.Core.Tests.Model;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Generation;

/// <summary>The libtorch-free batch-1 decode path against transformers' outputs for the same weights.</summary>
public class SimdDecoderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Logits_fed_token_by_token_match_transformers_reference(int threads)
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        var decoder = new SimdDecoder(model, capacity: 64, threads);
        var ids = HfReference.Read("input_ids");                 // [2, 24]
        var expected = HfReference.Read("logits").data<float>().ToArray(); // [2, 24, 512]
        int length = (int)ids.shape[1], vocab = model.Config.VocabSize;
        for (int b = 0; b < ids.shape[0]; b++)
        {
            decoder.Reset();
            var tokens = ids[b].data<long>().ToArray();
            for (int t = 0; t < length; t++)
            {
                var logits = decoder.Step((int)tokens[t]);
                var reference = expected.AsSpan((b * length + t) * vocab, vocab);
                float diff = 0;
                for (int v = 0; v < vocab; v++) diff = Math.Max(diff, Math.Abs(logits[v] - reference[v]));
                Assert.True(diff < 1e-4f, $"sequence {b}, position {t}: max |diff| = {diff}");
            }
        }
    }

    [Fact]
    public void Greedy_decoding_matches_transformers_reference()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        var prompt = HfReference.Read("greedy_prompt").data<long>().Select(i => (int)i).ToArray();
        var expected = HfReference.Read("greedy_output").data<long>().Skip(prompt.Length).Select(i => (int)i).ToArray();
        var generated = new SimdDecoder(model, capacity: 64, threads: 2).GenerateGreedy(prompt, expected.Length).ToArray();
        Assert.Equal(expected, generated);
    }

    [Fact]
    public void A_full_cache_is_an_error_not_an_overwrite()
    {
        using var model = HfReference.LoadTinyModel();
        var decoder = new SimdDecoder(model, capacity: 2);
        decoder.Step(1);
        decoder.Step(2);
        Assert.Throws<InvalidOperationException>(() => decoder.Step(3));
    }
}
