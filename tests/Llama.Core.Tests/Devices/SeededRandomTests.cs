using Llama.Core.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Devices;

/// <summary>
/// Seeded draws are made on the CPU and copied to the target (CUDA kernels refuse TorchSharp's CPU generator), so
/// they must be exactly libtorch's own CPU draws for the seed, whatever the target's dtype.
/// </summary>
public sealed class SeededRandomTests
{
    [Fact]
    public void Normal_fill_equals_libtorch_cpu_draw_for_the_seed()
    {
        using var target = zeros([64, 32]);
        using (var generator = SeededRandom.Create(42)) SeededRandom.FillNormal(target, 0.5, 2.0, generator);
        using var reference = empty([64, 32]);
        using (var generator = new Generator(42, CPU)) reference.normal_(0.5, 2.0, generator);
        Assert.True(target.equal(reference).all().item<bool>());
        Assert.InRange(target.mean().item<float>(), 0.3, 0.7);
        Assert.InRange(target.std().item<float>(), 1.9, 2.1);
    }

    [Fact]
    public void Uniform_fill_stays_in_range_and_repeats_for_the_seed()
    {
        using var first = zeros([1000]);
        using var second = zeros([1000]);
        using (var generator = SeededRandom.Create(7)) SeededRandom.FillUniform(first, -0.25, 0.25, generator);
        using (var generator = SeededRandom.Create(7)) SeededRandom.FillUniform(second, -0.25, 0.25, generator);
        Assert.True(first.equal(second).all().item<bool>());
        Assert.True(first.ge(-0.25).all().all().item<bool>() && first.lt(0.25).all().all().item<bool>());
    }

    [Fact]
    public void A_bfloat16_target_gets_the_float32_draw_rounded()
    {
        using var target = zeros([128], ScalarType.BFloat16);
        using (var generator = SeededRandom.Create(3)) SeededRandom.FillNormal(target, 0, 1, generator);
        using var reference = empty([128]);
        using (var generator = new Generator(3, CPU)) reference.normal_(0, 1, generator);
        Assert.True(target.equal(reference.to(ScalarType.BFloat16)).all().item<bool>());
    }

    [Fact]
    public void Model_initialisation_is_the_same_for_the_same_seed_and_differs_for_another()
    {
        var config = Llama.Core.Config.LlamaPresets.Get("tiny");
        using var a = new Llama.Core.Model.LlamaModel(config, CPU);
        using var b = new Llama.Core.Model.LlamaModel(config, CPU);
        using var c = new Llama.Core.Model.LlamaModel(config, CPU);
        a.InitializeWeights(11); b.InitializeWeights(11); c.InitializeWeights(12);
        var name = a.named_parameters().First(p => p.name.EndsWith("q_proj.weight")).name;
        var pa = a.named_parameters().Single(p => p.name == name).parameter;
        Assert.True(pa.equal(b.named_parameters().Single(p => p.name == name).parameter).all().item<bool>());
        Assert.False(pa.equal(c.named_parameters().Single(p => p.name == name).parameter).all().item<bool>());
    }
}
