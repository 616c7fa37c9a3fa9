using Llama.Core.Generation;
using Llama.Core.Tests.Model;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Generation;

/// <summary>
/// The two decode engines behind <see cref="LlamaGenerator"/>: the default picks the SIMD steps where they apply and
/// libtorch elsewhere, and both give the same tokens (the transformers match itself is pinned in HfParityTests).
/// </summary>
public class LlamaGeneratorEngineTests
{
    private static readonly int[] Prompt = [1, 300, 301, 302, 17, 44];

    private static int[] Tokens(LlamaGenerator generator, SamplingOptions options) =>
        generator.Generate(Prompt, options).Select(t => t.Id).ToArray();

    [Fact]
    public void The_default_engine_is_simd_for_a_cpu_float32_model_with_the_kv_cache()
    {
        using var model = HfReference.LoadTinyModel();
        var generator = new LlamaGenerator(model);
        Assert.Equal(DecodeEngine.Simd, generator.EngineFor(SamplingOptions.Greedy));
        Assert.Equal(DecodeEngine.TorchSharp, generator.EngineFor(SamplingOptions.Greedy with { UseKvCache = false }));
    }

    [Fact]
    public void The_default_engine_is_torchsharp_for_bfloat16_and_asking_for_simd_there_says_why()
    {
        using var model = Llama.Core.LlamaDirectory.Load(Fixtures.HfTiny, dtype: ScalarType.BFloat16);
        Assert.Equal(DecodeEngine.TorchSharp, new LlamaGenerator(model).EngineFor(SamplingOptions.Greedy));
        var error = Assert.Throws<NotSupportedException>(() => new LlamaGenerator(model, DecodeEngine.Simd).EngineFor(SamplingOptions.Greedy));
        Assert.Contains("BFloat16", error.Message);
    }

    [Fact]
    public void Greedy_tokens_are_the_same_on_both_engines_over_a_long_continuation()
    {
        using var model = HfReference.LoadTinyModel();
        var options = SamplingOptions.Greedy with { MaxNewTokens = 48 };
        Assert.Equal(Tokens(new LlamaGenerator(model, DecodeEngine.TorchSharp), options), Tokens(new LlamaGenerator(model, DecodeEngine.Simd), options));
    }

    [Fact]
    public void Sampled_tokens_are_the_same_on_both_engines_for_the_same_seed()
    {
        using var model = HfReference.LoadTinyModel();
        var options = new SamplingOptions { Temperature = 0.9, TopK = 50, TopP = 0.95, Seed = 42, MaxNewTokens = 32 };
        var torch = Tokens(new LlamaGenerator(model, DecodeEngine.TorchSharp), options);
        Assert.Equal(torch, Tokens(new LlamaGenerator(model, DecodeEngine.Simd), options));
        Assert.NotEqual(torch, Tokens(new LlamaGenerator(model, DecodeEngine.TorchSharp), options with { Seed = 43 })); // the seed matters
    }

    [Fact]
    public void Stop_tokens_and_the_budget_end_generation_the_same_way_on_both_engines()
    {
        using var model = HfReference.LoadTinyModel();
        var free = Tokens(new LlamaGenerator(model, DecodeEngine.TorchSharp), SamplingOptions.Greedy with { MaxNewTokens = 20 });
        var options = SamplingOptions.Greedy with { MaxNewTokens = 20, StopTokenIds = [free[7]] };
        var torch = new LlamaGenerator(model, DecodeEngine.TorchSharp).Generate(Prompt, options).ToList();
        var simd = new LlamaGenerator(model, DecodeEngine.Simd).Generate(Prompt, options).ToList();
        Assert.Equal(torch, simd);
        Assert.Equal(FinishReason.Stop, simd[^1].Finish);
        Assert.Equal(Array.IndexOf(free, free[7]) + 1, simd.Count);
    }

    [Fact]
    public void A_prefilled_prompt_gives_the_logits_of_feeding_it_token_by_token()
    {
        using var model = HfReference.LoadTinyModel();
        var stepped = new SimdDecoder(model, capacity: 16);
        float[] expected = [];
        foreach (int token in Prompt) expected = stepped.Step(token).ToArray();
        int next = SimdDecoder.ArgMax(expected);
        var expectedNext = stepped.Step(next).ToArray();

        var prefilled = new SimdDecoder(model, capacity: 16);
        AssertClose(expected, prefilled.Prefill(Prompt));
        Assert.Equal(Prompt.Length, prefilled.Length);
        AssertClose(expectedNext, prefilled.Step(next)); // the copied keys/values serve later steps
    }

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float diff = 0;
        for (int i = 0; i < expected.Length; i++) diff = Math.Max(diff, Math.Abs(expected[i] - actual[i]));
        Assert.True(diff < 1e-4f, $"max |diff| = {diff}");
    }
}
