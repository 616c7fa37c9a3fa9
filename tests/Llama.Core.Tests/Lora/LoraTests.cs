using Llama.Core.Checkpoints;
using Llama.Core.Lora;
using Llama.Core.Model;
using Llama.Core.Tests.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Lora;

public class LoraTests
{
    private static readonly LoraConfig AllTargets = new() { Rank = 4, Alpha = 8, Targets = LoraConfig.KnownTargets };

    private static Tensor Ids() => HfReference.Read("input_ids").narrow(0, 0, 1).narrow(1, 0, 12);

    /// <summary>B is zero at first; a random B makes the adapters change the output, as after some training.</summary>
    private static void RandomizeB(LlamaModel model, long seed)
    {
        using var noGrad = no_grad();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        foreach (var (_, adapter) in LoraAdapters.Adapted(model)) adapter.lora_B.weight!.normal_(0, 0.05, generator);
    }

    [Fact]
    public void A_fresh_adapter_leaves_the_logits_unchanged()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        using var noGrad = no_grad();
        var before = model.Forward(Ids());
        LoraAdapters.Attach(model, AllTargets, seed: 1);
        var after = model.Forward(Ids());
        Assert.Equal(0f, HfReference.MaxAbsDifference(before, after));
    }

    [Fact]
    public void Adapter_output_is_W_x_plus_b_plus_scaled_B_A_x()
    {
        using var scope = NewDisposeScope();
        // W [2, 3], b [2], A [1, 3], B [2, 1], rank 1, alpha 2: scale 2. x = (1, 2, 3).
        using var linear = nn.Linear(3, 2);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new float[] { 1, 0, -1, 0.5f, 2, 0 }, [2, 3]));
            linear.bias!.copy_(tensor(new float[] { 0.25f, -1 }));
        }
        using var adapted = new LoraLinear(linear, rank: 1, alpha: 2, dropout: 0);
        using (no_grad())
        {
            adapted.lora_A.weight!.copy_(tensor(new float[] { 1, -1, 0.5f }, [1, 3]));
            adapted.lora_B.weight!.copy_(tensor(new float[] { 3, -2 }, [2, 1]));
        }
        var y = adapted.call(tensor(new float[] { 1, 2, 3 }, [1, 3])).data<float>().ToArray();
        // W x + b = (1 − 3 + 0.25, 0.5 + 4 − 1) = (−1.75, 3.5); A x = 1 − 2 + 1.5 = 0.5; 2 · B · 0.5 = (3, −2).
        Assert.Equal(-1.75f + 3f, y[0], 1e-6f);
        Assert.Equal(3.5f - 2f, y[1], 1e-6f);
    }

    [Fact]
    public void Gradients_reach_only_the_adapters()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        LoraAdapters.Attach(model, new LoraConfig { Rank = 2, Targets = ["q_proj", "down_proj"] }, seed: 1);
        RandomizeB(model, 2); // with B = 0 the gradient of A is exactly zero
        model.Forward(Ids()).square().mean().backward();
        var adapterNames = LoraAdapters.AdapterParameters(model).Select(p => p.Name).ToHashSet();
        Assert.Equal(model.Config.NumHiddenLayers * 2 * 2, adapterNames.Count);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (adapterNames.Contains(name))
                Assert.True(parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"{name} got no gradient");
            else
                Assert.True(parameter.grad is null && !parameter.requires_grad, $"{name} is frozen yet got a gradient or requires one");
        }
    }

    [Fact]
    public void Merged_weights_compute_the_adapted_forward()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        var names = model.named_parameters().Select(p => p.name).ToList();
        LoraAdapters.Attach(model, AllTargets with { Dropout = 0.1 }, seed: 1);
        RandomizeB(model, 3);
        model.eval(); // dropout off: the adapted forward the merge must equal
        Tensor adapted;
        using (no_grad()) adapted = model.Forward(Ids());
        LoraAdapters.Merge(model);
        Tensor merged;
        using (no_grad()) merged = model.Forward(Ids());

        float diff = HfReference.MaxAbsDifference(adapted, merged);
        Assert.True(diff < 1e-5f, $"max |adapted − merged| = {diff}");
        Assert.True(HfReference.MaxAbsDifference(adapted, HfReference.LoadTinyModel().Forward(Ids())) > 1e-3f, "the adapters changed nothing");
        Assert.Empty(LoraAdapters.Adapted(model));
        Assert.Equal(names.Order(), model.named_parameters().Select(p => p.name).Order()); // a swapped module registers last
        Assert.All(model.named_parameters(), p => Assert.True(p.parameter.requires_grad, p.name));
    }

    [Fact]
    public void Each_target_trains_rank_times_in_plus_out_parameters()
    {
        using var model = HfReference.LoadTinyModel();
        var c = model.Config;
        long hidden = c.HiddenSize, q = c.NumAttentionHeads * c.EffectiveHeadDim, kv = c.EffectiveKeyValueHeads * c.EffectiveHeadDim;
        LoraAdapters.Attach(model, new LoraConfig { Rank = 3, Targets = ["q_proj", "v_proj", "up_proj"] });
        long trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        long perLayer = 3 * (hidden + q) + 3 * (hidden + kv) + 3 * (hidden + c.IntermediateSize);
        Assert.Equal(c.NumHiddenLayers * perLayer, trainable);
    }

    [Fact]
    public void The_default_targets_are_PEFTs_for_Llama()
    {
        var defaults = new LoraConfig();
        Assert.Equal(["q_proj", "v_proj"], defaults.Targets);
        Assert.Equal((8, 8.0, 0.0), (defaults.Rank, defaults.Alpha, defaults.Dropout));
    }

    [Theory]
    [InlineData("qkv_proj", "unknown projection 'qkv_proj'")]
    [InlineData("", "unknown projection ''")]
    public void An_unknown_target_is_refused_by_name(string target, string message)
    {
        using var model = HfReference.LoadTinyModel();
        var error = Assert.Throws<ArgumentException>(() => LoraAdapters.Attach(model, new LoraConfig { Targets = ["q_proj", target] }));
        Assert.Contains(message, error.Message);
        Assert.Empty(LoraAdapters.Adapted(model));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void A_rank_below_one_is_refused(int rank)
    {
        using var model = HfReference.LoadTinyModel();
        var error = Assert.Throws<ArgumentException>(() => LoraAdapters.Attach(model, new LoraConfig { Rank = rank }));
        Assert.Contains($"lora.rank ({rank}) must be > 0", error.Message);
    }

    [Fact]
    public void An_adapted_model_is_not_saved_as_a_checkpoint_but_its_adapters_save_alone()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        LoraAdapters.Attach(model, new LoraConfig { Rank = 2 }, seed: 1);
        RandomizeB(model, 4);
        var folder = Directory.CreateTempSubdirectory("llama-lora-").FullName;
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => LlamaDirectory.Save(model, Path.Combine(folder, "model")));
            Assert.Contains("merge them", error.Message);

            LoraAdapters.Save(model, folder);
            using var reader = SafetensorsReader.Open(Path.Combine(folder, "adapter_model.safetensors"));
            var expected = LoraAdapters.AdapterParameters(model);
            Assert.Equal(expected.Select(p => "base_model.model." + p.Name).Order(), reader.Names.Order());
            var (name, parameter) = expected[1]; // layer 0's q_proj lora_B
            Assert.Equal(0f, HfReference.MaxAbsDifference(parameter, reader.ReadTensor("base_model.model." + name)));
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "adapter_config.json")))!;
            Assert.Equal(2, (int)config["r"]!);
            Assert.Equal(["q_proj", "v_proj"], config["target_modules"]!.AsArray().Select(n => (string)n!));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_FP8_projection_cannot_carry_an_adapter()
    {
        using var model = HfReference.LoadTinyModel();
        var up = (Linear)model.Decoder.Layers[0].Mlp.UpProj;
        model.Decoder.Layers[0].Mlp.ReplaceProjection("up_proj", Llama.Core.Quantization.Fp8Linear.FromLinear(up, 1200f, "up"));
        var error = Assert.Throws<NotSupportedException>(() => LoraAdapters.Attach(model, new LoraConfig { Targets = ["up_proj"] }));
        Assert.Contains("model.layers.0.mlp.up_proj is a Fp8Linear", error.Message);
    }
}
