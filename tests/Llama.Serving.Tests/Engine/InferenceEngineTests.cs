using Llama.Core.Generation;
using Llama.Core.Model;
using Llama.Serving.Engine;

namespace Llama.Serving.Tests.Engine;

/// <summary>
/// The engine against <see cref="LlamaGenerator"/> (what <c>llama generate</c> runs, itself pinned to
/// transformers' greedy output in Llama.Core.Tests): batching, paging, prefix reuse and preemption must not
/// change what a request gets.
/// </summary>
public sealed class InferenceEngineTests : IDisposable
{
    private readonly LlamaModel _model = TinyModel.Load();

    private readonly string _fp8Directory = Path.Combine(Path.GetTempPath(), "llama-serving-fp8-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        _model.Dispose();
        if (Directory.Exists(_fp8Directory)) Directory.Delete(_fp8Directory, recursive: true);
    }

    /// <summary><paramref name="length"/> tokens; when <paramref name="index"/> is a multiple of 3 the first 32 are shared (prefix blocks to reuse).</summary>
    private static int[] Prompt(int index, int length)
    {
        var shared = Enumerable.Range(0, 32).Select(i => 1 + (i * 37) % 250);
        var own = Enumerable.Range(0, length).Select(i => 3 + (i * 11 + index * 53) % 250);
        return (index % 3 == 0 ? shared.Concat(own) : own).Take(Math.Max(length, 1)).ToArray();
    }

    private int[] Reference(IReadOnlyList<int> prompt, SamplingOptions options) =>
        new LlamaGenerator(_model).Generate(prompt, options).Select(t => t.Id).ToArray();

    private static async Task<int[]> CollectAsync(GenerationStream stream)
    {
        var ids = new List<int>();
        await foreach (var output in stream.ReadAllAsync()) ids.Add(output.TokenId);
        return [.. ids];
    }

    private static SamplingOptions Greedy(int maxNew) => SamplingOptions.Greedy with { MaxNewTokens = maxNew, StopTokenIds = [2] };

    [Fact]
    public async Task Greedy_tokens_equal_LlamaGenerator_for_a_lone_request()
    {
        using var engine = new InferenceEngine(_model);
        var prompt = Prompt(1, 21);
        using var stream = engine.Submit(new SequenceRequest(prompt, Greedy(30)));
        Assert.Equal(Reference(prompt, Greedy(30)), await CollectAsync(stream));
    }

    [Fact]
    public async Task Greedy_tokens_do_not_change_while_16_other_requests_run()
    {
        using var engine = new InferenceEngine(_model);
        var target = Prompt(0, 45);
        var others = Enumerable.Range(1, 16).Select(i => (Prompt: Prompt(i, 5 + 7 * i % 60), Options: i % 4 == 0
            ? new SamplingOptions { Temperature = 1, TopP = 0.9, Seed = i, MaxNewTokens = 60 + i, StopTokenIds = [2] }
            : Greedy(60 + 4 * i))).ToArray();

        var streams = others.Select(o => engine.Submit(new SequenceRequest(o.Prompt, o.Options))).ToList();
        var running = streams.Select(CollectAsync).ToList();
        // Joins a running batch: the others' shared prefix blocks are computed by now and reused.
        await WaitUntilAsync(() => engine.Stats.Steps >= 2);
        var targetStream = engine.Submit(new SequenceRequest(target, Greedy(40)));
        running.Add(CollectAsync(targetStream));
        Assert.True(engine.Stats.Running > 1, "the target should join a batch that is still running");
        var results = await Task.WhenAll(running);
        foreach (var s in streams) s.Dispose();
        targetStream.Dispose();

        Assert.Equal(Reference(target, Greedy(40)), results[^1]);
        for (int i = 0; i < others.Length; i++)
            if (others[i].Options.Temperature == 0) Assert.Equal(Reference(others[i].Prompt, others[i].Options), results[i]);
        Assert.True(engine.Stats.PrefixHits > 0, "requests sharing a 32-token prefix should reuse its blocks");
    }

    [Fact]
    public async Task A_bfloat16_model_is_served_with_a_bfloat16_cache_and_the_same_greedy_tokens_as_its_generator()
    {
        using var bf16 = Llama.Core.LlamaDirectory.Load(TinyModel.Directory, dtype: TorchSharp.torch.ScalarType.BFloat16);
        using var engine = new InferenceEngine(bf16, new EngineOptions { NumBlocks = 64 });
        var prompt = Prompt(4, 18);
        var streams = new[] { prompt, Prompt(5, 9), Prompt(6, 27) }.Select(p => engine.Submit(new SequenceRequest(p, Greedy(12)))).ToList();
        var results = await Task.WhenAll(streams.Select(CollectAsync));
        var expected = new LlamaGenerator(bf16).Generate(prompt, Greedy(12)).Select(t => t.Id).ToArray();
        Assert.Equal(expected, results[0]);
    }

    [Fact]
    public async Task An_fp8_checkpoint_is_served_from_its_fp8_layers_with_the_greedy_tokens_of_its_generator()
    {
        // The fixture has 2 layers: quantize both layers' feed-forward projections, write the fbgemm_fp8 layout, load it back.
        var config = new Llama.Quantization.QuantizeConfig { SkipFirstLayers = 0, SkipLastLayers = 0 };
        using (var source = TinyModel.Load())
        {
            Llama.Quantization.Quantizer.RowwiseFp8Quantizer.Quantize(source, Llama.Quantization.Quantizer.QuantizationPlan.For(source, config), config);
            Llama.Core.LlamaDirectory.Save(source, _fp8Directory);
        }
        using var fp8 = Llama.Core.LlamaDirectory.Load(_fp8Directory);
        Assert.Contains(fp8.modules(), m => m is Llama.Core.Quantization.Fp8Linear);
        using var engine = new InferenceEngine(fp8, new EngineOptions { NumBlocks = 64 });
        var prompts = new[] { Prompt(4, 18), Prompt(5, 9), Prompt(6, 27) };
        var results = await Task.WhenAll(prompts.Select(p => engine.Submit(new SequenceRequest(p, Greedy(12)))).Select(CollectAsync));
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(new LlamaGenerator(fp8).Generate(prompts[i], Greedy(12)).Select(t => t.Id).ToArray(), results[i]);
    }

    [Fact]
    public async Task Sampled_tokens_equal_LlamaGenerator_for_the_same_seed()
    {
        using var engine = new InferenceEngine(_model);
        var prompt = Prompt(2, 12);
        var options = new SamplingOptions { Temperature = 0.9, TopK = 40, TopP = 0.95, Seed = 7, MaxNewTokens = 25 };
        using var stream = engine.Submit(new SequenceRequest(prompt, options));
        Assert.Equal(Reference(prompt, options), await CollectAsync(stream));
    }

    [Fact]
    public async Task Sequences_preempted_for_lack_of_blocks_still_get_their_greedy_tokens()
    {
        // 10 blocks of 4 tokens: six sequences growing to ~20 tokens each cannot all stay resident.
        using var engine = new InferenceEngine(_model, new EngineOptions { NumBlocks = 10, BlockSize = 4, EnablePrefixCaching = false });
        var prompts = Enumerable.Range(1, 6).Select(i => Prompt(3 * i + 1, 6 + i)).ToArray();
        var streams = prompts.Select(p => engine.Submit(new SequenceRequest(p, Greedy(14)))).ToList();
        var results = await Task.WhenAll(streams.Select(CollectAsync));
        for (int i = 0; i < prompts.Length; i++) Assert.Equal(Reference(prompts[i], Greedy(14)), results[i]);
        Assert.True(engine.Stats.Preemptions > 0, "the pool is too small for all sequences at once: some must be preempted");
        Assert.Equal(0, engine.Stats.UsedBlocks);
    }

    [Fact]
    public async Task A_repeated_prompt_prefix_is_read_from_cached_blocks()
    {
        using var engine = new InferenceEngine(_model);
        var first = Prompt(0, 72); // four full blocks of 16, and 8 tokens more
        using (var s = engine.Submit(new SequenceRequest(first, Greedy(3)))) await CollectAsync(s);
        long hitsBefore = engine.Stats.PrefixHits;

        var second = first.Take(50).Append(7).Append(8).ToArray();
        using var stream = engine.Submit(new SequenceRequest(second, Greedy(20)));
        var tokens = await CollectAsync(stream);
        Assert.Equal(3, engine.Stats.PrefixHits - hitsBefore); // 52 tokens: the first 48 are three cached full blocks
        Assert.Equal(Reference(second, Greedy(20)), tokens);
    }

    [Fact]
    public async Task Disposing_a_stream_mid_generation_frees_its_KV_blocks()
    {
        using var engine = new InferenceEngine(_model);
        var stream = engine.Submit(new SequenceRequest(Prompt(5, 30), SamplingOptions.Greedy with { MaxNewTokens = 5000 }));
        int read = 0;
        await foreach (var _ in stream.ReadAllAsync())
            if (++read == 3) break;
        Assert.True(engine.Stats.UsedBlocks > 0 || read < 3);
        stream.Dispose();
        await WaitUntilAsync(() => engine.Stats is { UsedBlocks: 0, Running: 0, Waiting: 0 });
    }

    [Fact]
    public void A_prompt_that_leaves_no_room_to_generate_is_refused()
    {
        using var engine = new InferenceEngine(_model, new EngineOptions { MaxModelLength = 32 });
        Assert.Equal(32, engine.MaxModelLength);
        var e = Assert.Throws<PromptTooLongException>(() => engine.Submit(new SequenceRequest(Prompt(1, 32), Greedy(4))));
        Assert.Contains("32 tokens", e.Message);
        Assert.Throws<ArgumentException>(() => engine.Submit(new SequenceRequest([1, 9999], Greedy(4))));
    }

    [Fact]
    public async Task Output_stops_at_the_context_limit()
    {
        using var engine = new InferenceEngine(_model, new EngineOptions { MaxModelLength = 24 });
        using var stream = engine.Submit(new SequenceRequest(Prompt(1, 20), SamplingOptions.Greedy with { MaxNewTokens = 100 }));
        var outputs = new List<SequenceOutput>();
        await foreach (var o in stream.ReadAllAsync()) outputs.Add(o);
        Assert.Equal(4, outputs.Count);
        Assert.Equal(FinishReason.Length, outputs[^1].Finish);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("condition not reached within 30 s");
            await Task.Delay(20);
        }
    }
}
