using Llama.Core.Checkpoints;
using Llama.Core.Config;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Model;

/// <summary>Other members of the Llama family load and run with no code changes.</summary>
public class ConfigVariantTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llama-variants-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Multi_head_attention_with_duplicated_kv_heads_reproduces_the_gqa_reference()
    {
        // A GQA model equals an MHA model whose key/value heads are copies, head h reading kv head h / groups
        // (transformers' repeat_kv). So the MHA path must reproduce the transformers logits exactly.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var gqa = LlamaConfig.Load(Fixtures.HfTiny);
        var mha = gqa with { NumKeyValueHeads = gqa.NumAttentionHeads };
        using var model = new LlamaModel(mha);
        using var reader = HfCheckpointReader.Open(Fixtures.HfTiny);
        int groups = gqa.NumAttentionHeads / gqa.EffectiveKeyValueHeads, hd = gqa.EffectiveHeadDim;
        foreach (var (name, parameter) in model.named_parameters())
        {
            var stored = reader.ReadTensor(name);
            if (name.EndsWith("k_proj.weight") || name.EndsWith("v_proj.weight"))
                stored = stored.view(gqa.EffectiveKeyValueHeads, hd, gqa.HiddenSize).repeat_interleave(groups, dim: 0).reshape(parameter.shape);
            parameter.copy_(stored);
        }
        var logits = model.Forward(HfReference.Read("input_ids"));
        float diff = HfReference.MaxAbsDifference(logits, HfReference.Read("logits"));
        Assert.True(diff < 1e-4f, $"max |diff| = {diff}");
    }

    [Fact]
    public void Tied_embeddings_load_from_a_checkpoint_without_lm_head_and_use_the_embedding_as_head()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var untiedConfig = LlamaConfig.Load(Fixtures.HfTiny);
        using var untied = LlamaDirectory.Load(Fixtures.HfTiny);
        untied.LmHead!.weight!.copy_(untied.Decoder.EmbedTokens.weight!);   // an untied model whose head is the embedding

        using (var tiedFromFixture = new LlamaModel(untiedConfig with { TieWordEmbeddings = true }))
        {
            using var reader = HfCheckpointReader.Open(Fixtures.HfTiny);
            foreach (var (name, parameter) in tiedFromFixture.named_parameters()) reader.CopyInto(name, parameter);
            LlamaDirectory.Save(tiedFromFixture, _dir);
        }
        using (var written = SafetensorsReader.Open(Path.Combine(_dir, "model.safetensors")))
            Assert.False(written.Contains("lm_head.weight"));

        using var tied = LlamaDirectory.Load(_dir);
        Assert.Null(tied.LmHead);
        var ids = HfReference.Read("input_ids");
        float diff = HfReference.MaxAbsDifference(tied.Forward(ids), untied.Forward(ids));
        Assert.True(diff < 1e-5f, $"max |diff| = {diff}");
    }

    [Fact]
    public void Llama_2_style_config_without_rope_scaling_uses_plain_frequencies()
    {
        var config = LlamaConfig.Load(Fixtures.HfTiny) with { RopeScaling = null, RopeTheta = 10000 };
        var inv = RotaryEmbedding.InverseFrequencies(config);
        for (int i = 0; i < inv.Length; i++)
            Assert.Equal(1.0 / Math.Pow(10000, 2.0 * i / 16), inv[i], 1e-7);
        AssertRunsAndCachesConsistently(config);
    }

    [Theory]
    [InlineData(8, 2, 8)]    // more query heads, smaller heads
    [InlineData(4, 4, 32)]   // multi-head attention, head_dim * heads != hidden_size
    [InlineData(2, 1, 16)]   // multi-query attention
    public void Other_head_counts_run_and_round_trip_through_a_directory(int heads, int kvHeads, int headDim)
    {
        var config = LlamaConfig.Load(Fixtures.HfTiny) with { NumAttentionHeads = heads, NumKeyValueHeads = kvHeads, HeadDim = headDim };
        AssertRunsAndCachesConsistently(config);
    }

    private void AssertRunsAndCachesConsistently(LlamaConfig config)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = new LlamaModel(config);
        model.InitializeWeights(seed: 7);
        LlamaDirectory.Save(model, _dir);
        using var loaded = LlamaDirectory.Load(_dir);
        var ids = randint(0, config.VocabSize, [1, 12], dtype: ScalarType.Int64);
        var full = loaded.Forward(ids);
        Assert.True(HfReference.MaxAbsDifference(full, model.Forward(ids)) == 0f);
        using var cache = loaded.CreateCache(1, 12);
        var stepwise = cat([loaded.Forward(ids.narrow(1, 0, 7), cache), loaded.Forward(ids.narrow(1, 7, 5), cache)], dim: 1);
        Assert.True(HfReference.MaxAbsDifference(stepwise, full) < 1e-4f);
    }
}
