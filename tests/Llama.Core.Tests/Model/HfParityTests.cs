using Llama.Core.Config;
using Llama.Core.Generation;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Model;

/// <summary>The model against transformers' own outputs for the same weights (tests/fixtures/hf-llama3-tiny).</summary>
public class HfParityTests
{
    [Fact]
    public void Logits_match_transformers_reference()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        using var noGrad = no_grad();
        var logits = model.Forward(HfReference.Read("input_ids"));
        var expected = HfReference.Read("logits");
        Assert.Equal(expected.shape, logits.shape);
        Assert.True(HfReference.MaxAbsDifference(logits, expected) < 1e-4f, $"max |diff| = {HfReference.MaxAbsDifference(logits, expected)}");
    }

    [Fact]
    public void Rope_inverse_frequencies_match_transformers_llama3_scaling()
    {
        using var scope = NewDisposeScope();
        var config = LlamaConfig.Load(Fixtures.HfTiny);
        var ours = RotaryEmbedding.InverseFrequencies(config);
        var expected = HfReference.Read("rope_inv_freq").data<float>().ToArray();
        Assert.Equal(expected.Length, ours.Length);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - expected[i]) <= 1e-6 * Math.Abs(expected[i]), $"inv_freq[{i}]: {ours[i]} vs {expected[i]}");
    }

    [Fact]
    public void Logits_at_far_positions_match_transformers_reference()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        using var noGrad = no_grad();
        var logits = model.Forward(HfReference.Read("input_ids"), positions: HfReference.Read("position_ids_far"));
        float diff = HfReference.MaxAbsDifference(logits, HfReference.Read("logits_far"));
        Assert.True(diff < 2e-3f, $"max |diff| = {diff}");
    }

    [Theory]
    [InlineData(true, DecodeEngine.Auto)] // the default: the SIMD decode steps on this CPU float32 model
    [InlineData(true, DecodeEngine.TorchSharp)]
    [InlineData(true, DecodeEngine.Simd)]
    [InlineData(false, DecodeEngine.Auto)] // without the cache: libtorch recomputes every step
    public void Greedy_decoding_matches_transformers_reference(bool useKvCache, DecodeEngine engine)
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        var prompt = HfReference.Read("greedy_prompt").data<long>().Select(i => (int)i).ToArray();
        var expected = HfReference.Read("greedy_output").data<long>().Skip(prompt.Length).Select(i => (int)i).ToArray();
        var generated = new LlamaGenerator(model, engine)
            .Generate(prompt, SamplingOptions.Greedy with { MaxNewTokens = expected.Length, UseKvCache = useKvCache })
            .Select(t => t.Id).ToArray();
        Assert.Equal(expected, generated);
    }
}
