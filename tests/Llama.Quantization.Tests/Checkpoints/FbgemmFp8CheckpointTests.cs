using System.Text.Json.Nodes;
using Llama.Core;
using Llama.Core.Checkpoints;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Quantization;
using Llama.Quantization.Quantizer;
using static TorchSharp.torch;

namespace Llama.Quantization.Tests.Checkpoints;

/// <summary>Export to and import from the layout of Meta's FP8 Llama 3.1 checkpoints (transformers' fbgemm_fp8).</summary>
public sealed class FbgemmFp8CheckpointTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    // The fixture has 2 layers: skipping only the last leaves layer 0's feed-forward layers to quantize.
    private static readonly QuantizeConfig TwoLayerConfig = new() { SkipFirstLayers = 0, SkipLastLayers = 1 };

    [Fact]
    public void Export_then_import_gives_the_in_memory_quantized_models_logits()
    {
        using var model = LlamaDirectory.Load(TestFiles.HfTiny);
        RowwiseFp8Quantizer.Quantize(model, QuantizationPlan.For(model, TwoLayerConfig), TwoLayerConfig);
        string output = _scratch.Combine("fp8");
        LlamaDirectory.Save(model, output);

        using var loaded = LlamaDirectory.Load(output);
        Assert.Equal(3, Fp8ModelLayout.Fp8Modules(loaded).Count);
        using var scope = NewDisposeScope();
        var ids = arange(0, 24, ScalarType.Int64).unsqueeze(0) * 7 % 512;
        using var noGrad = no_grad();
        Assert.Equal(0f, (model.Forward(ids) - loaded.Forward(ids)).abs().max().item<float>());
    }

    [Fact]
    public void Export_writes_the_fbgemm_fp8_layout()
    {
        string output = QuantizedFixture();
        var quantization = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!["quantization_config"]!;
        Assert.Equal("fbgemm_fp8", (string?)quantization["quant_method"]);
        Assert.Equal(1200.0, (double)quantization["activation_scale_ub"]!);
        var kept = quantization["modules_to_not_convert"]!.AsArray().Select(n => (string)n!).ToList();
        // Every linear layer that is not FP8 is listed, as in Meta's configs: attention of both layers, layer 1's MLP, lm_head.
        Assert.Equal(4 * 2 + 3 + 1, kept.Count);
        Assert.Contains("model.layers.0.self_attn.q_proj", kept);
        Assert.Contains("model.layers.1.mlp.down_proj", kept);
        Assert.Contains("lm_head", kept);
        Assert.DoesNotContain("model.layers.0.mlp.up_proj", kept);

        using var reader = HfCheckpointReader.Open(output);
        var weight = reader.GetInfo("model.layers.0.mlp.gate_proj.weight");
        Assert.Equal(SafetensorsDtype.F8_E4M3, weight.Dtype);
        Assert.Equal([192L, 64L], weight.Shape);
        var scale = reader.GetInfo("model.layers.0.mlp.gate_proj.weight_scale");
        Assert.Equal(SafetensorsDtype.F32, scale.Dtype);
        Assert.Equal([192L, 1L], scale.Shape);
        Assert.Equal(SafetensorsDtype.F32, reader.GetInfo("model.layers.1.mlp.gate_proj.weight").Dtype);
        Assert.False(reader.Contains("model.layers.0.self_attn.q_proj.weight_scale"));
    }

    [Fact]
    public void Feed_forward_weights_take_a_quarter_of_their_float32_bytes_plus_one_scale_per_row()
    {
        using var model = LlamaDirectory.Load(TestFiles.HfTiny);
        var modules = RowwiseFp8Quantizer.Quantize(model, QuantizationPlan.For(model, TwoLayerConfig), TwoLayerConfig);
        Assert.All(modules, m => Assert.Equal(m.Float32Bytes, 4 * m.CodeBytes));
        Assert.All(modules, m => Assert.Equal(m.CodeBytes + 4 * m.Rows, m.Fp8Bytes));
        // Per-row error of round-to-nearest E4M3 with amax scaling: at most 2^-4 relative per element, much less in norm.
        Assert.All(modules, m => Assert.All(m.RowRelativeErrors, e => Assert.InRange(e, 1e-4f, 0.0625f)));
    }

    [Fact]
    public void Default_plan_quantizes_feed_forward_layers_only_and_skips_first_and_last()
    {
        var config = LlamaConfig.Load(TestFiles.HfTiny) with { NumHiddenLayers = 4 };
        using var model = new LlamaModel(config);
        var plan = QuantizationPlan.For(model, new QuantizeConfig());
        Assert.Equal(
            ["model.layers.1.mlp.gate_proj", "model.layers.1.mlp.up_proj", "model.layers.1.mlp.down_proj",
             "model.layers.2.mlp.gate_proj", "model.layers.2.mlp.up_proj", "model.layers.2.mlp.down_proj"],
            plan.Quantized);
        Assert.Equal(4 * 4, plan.Kept.Count(k => k.Reason == "attention"));
        Assert.Contains(plan.Kept, k => k.Module == "model.layers.0.mlp.up_proj" && k.Reason == "first layers skipped");
        Assert.Contains(plan.Kept, k => k.Module == "model.layers.3.mlp.up_proj" && k.Reason == "last layers skipped");
        Assert.Contains(plan.Kept, k => k.Module == "lm_head");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Quantizing_a_non_finite_weight_fails_naming_the_layer_and_row(float bad)
    {
        using var model = LlamaDirectory.Load(TestFiles.HfTiny);
        using (no_grad()) Fp8ModelLayout.GetLinear(model, "model.layers.0.mlp.down_proj").weight![5, 7] = tensor(bad);
        var error = Assert.Throws<ArgumentException>(() =>
            RowwiseFp8Quantizer.Quantize(model, QuantizationPlan.For(model, TwoLayerConfig), TwoLayerConfig));
        Assert.Contains("model.layers.0.mlp.down_proj.weight", error.Message);
        Assert.Contains("row 5, column 7", error.Message);
        Assert.Empty(Fp8ModelLayout.Fp8Modules(model)); // nothing replaced
    }

    [Fact]
    public void Excluding_a_module_the_model_does_not_have_is_an_error()
    {
        using var model = LlamaDirectory.Load(TestFiles.HfTiny);
        var config = TwoLayerConfig with { ModulesToNotConvert = ["model.layers.7.mlp"] };
        var error = Assert.Throws<ArgumentException>(() => QuantizationPlan.For(model, config));
        Assert.Contains("'model.layers.7.mlp' matches no linear layer", error.Message);
    }

    [Fact]
    public void Loading_a_checkpoint_whose_config_names_a_missing_module_is_an_error()
    {
        string output = QuantizedFixture();
        EditQuantizationConfig(output, q => q["modules_to_not_convert"]!.AsArray().Add("model.layers.9.self_attn"));
        var error = Assert.Throws<LlamaConfigException>(() => LlamaDirectory.Load(output).Dispose());
        Assert.Contains("modules_to_not_convert names 'model.layers.9.self_attn', which matches no linear layer", error.Message);
    }

    [Fact]
    public void Fp8_weights_without_a_quantization_config_are_refused()
    {
        string output = QuantizedFixture();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!.AsObject();
        config.Remove("quantization_config");
        File.WriteAllText(Path.Combine(output, "config.json"), config.ToJsonString());
        var error = Assert.Throws<CheckpointIndexException>(() => LlamaDirectory.Load(output).Dispose());
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", error.Message);
        Assert.Contains("F8_E4M3", error.Message);
    }

    [Fact]
    public void A_config_that_leaves_attention_in_fp8_is_refused()
    {
        string output = QuantizedFixture();
        EditQuantizationConfig(output, q => q["modules_to_not_convert"] = new JsonArray("lm_head"));
        // The stored attention weights are float32, so the dtype check names the first of them.
        var error = Assert.Throws<CheckpointIndexException>(() => LlamaDirectory.Load(output).Dispose());
        Assert.Contains("self_attn", error.Message);
    }

    [Fact]
    public void Another_quantization_method_is_refused_by_name()
    {
        string output = QuantizedFixture();
        EditQuantizationConfig(output, q => q["quant_method"] = "gptq");
        var error = Assert.Throws<LlamaConfigException>(() => LlamaDirectory.Load(output).Dispose());
        Assert.Contains("quant_method 'gptq' is not supported", error.Message);
    }

    [Fact]
    public void Quantizing_an_fp8_model_again_is_refused()
    {
        using var model = LlamaDirectory.Load(QuantizedFixture());
        Assert.Throws<InvalidOperationException>(() => QuantizationPlan.For(model, TwoLayerConfig));
    }

    private string QuantizedFixture()
    {
        using var model = LlamaDirectory.Load(TestFiles.HfTiny);
        RowwiseFp8Quantizer.Quantize(model, QuantizationPlan.For(model, TwoLayerConfig), TwoLayerConfig);
        string output = _scratch.Combine("fp8-" + Guid.NewGuid().ToString("N"));
        LlamaDirectory.Save(model, output);
        return output;
    }

    private static void EditQuantizationConfig(string directory, Action<JsonObject> edit)
    {
        string path = Path.Combine(directory, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config["quantization_config"]!.AsObject());
        File.WriteAllText(path, config.ToJsonString());
    }

    public void Dispose() => _scratch.Dispose();
}
