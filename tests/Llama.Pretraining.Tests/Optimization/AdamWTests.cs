using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
// TorchSharp.Modules has an AdamW too (the reference this file compares against).
using AdamW = Llama.Core.Training.AdamW;

namespace Llama.Pretraining.Tests.Optimization;

public class AdamWTests
{
    [Fact]
    public void Updates_match_the_adamw_equations_computed_by_hand_in_double()
    {
        double[] weight0 = [0.5, -1.0, 2.0], bias0 = [0.25];
        double[][] weightGrads = [[0.1, -0.2, 0.3], [-0.05, 0.4, 0.0], [0.2, 0.2, -0.6], [1.5, -0.01, 0.02]];
        double[][] biasGrads = [[0.3], [-0.3], [0.1], [0.0]];
        double[] learningRates = [1e-2, 2e-2, 5e-3, 1e-2];
        var options = new AdamWOptions();   // 0.9, 0.95, 1e-8, weight decay 0.1; the bias is not decayed

        var weight = new Parameter(tensor(weight0, ScalarType.Float64));
        var bias = new Parameter(tensor(bias0, ScalarType.Float64));
        using var optimizer = new AdamW([("layer.weight", weight), ("layer.bias", bias)], options);
        for (int t = 0; t < learningRates.Length; t++)
        {
            weight.grad = tensor(weightGrads[t], ScalarType.Float64);
            bias.grad = tensor(biasGrads[t], ScalarType.Float64);
            optimizer.Step(learningRates[t]);
            optimizer.ZeroGrad();
        }

        var (expectedWeight, expectedWeightM, expectedWeightV) = Reference(weight0, weightGrads, learningRates, options, decays: true);
        var (expectedBias, _, _) = Reference(bias0, biasGrads, learningRates, options, decays: false);
        Assert.Equal(4, optimizer.StepCount);
        AssertClose(expectedWeight, weight, 1e-12);
        AssertClose(expectedBias, bias, 1e-12);
        var state = optimizer.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value);
        AssertClose(expectedWeightM, state["exp_avg.layer.weight"], 1e-15);
        AssertClose(expectedWeightV, state["exp_avg_sq.layer.weight"], 1e-15);
    }

    /// <summary>AdamW per element, straight from the torch.optim.AdamW documentation's pseudo-code.</summary>
    private static (double[] P, double[] M, double[] V) Reference(double[] p0, double[][] grads, double[] lrs, AdamWOptions o, bool decays)
    {
        var p = (double[])p0.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= lrs.Length; t++)
        {
            double lr = lrs[t - 1];
            for (int i = 0; i < p.Length; i++)
            {
                double g = grads[t - 1][i];
                if (decays) p[i] -= lr * o.WeightDecay * p[i];
                m[i] = o.Beta1 * m[i] + (1 - o.Beta1) * g;
                v[i] = o.Beta2 * v[i] + (1 - o.Beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(o.Beta1, t));
                double vHat = v[i] / (1 - Math.Pow(o.Beta2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + o.Epsilon);
            }
        }
        return (p, m, v);
    }

    [Fact]
    public void Ten_steps_on_an_mlp_match_torchsharps_adamw()
    {
        using var scope = NewDisposeScope();
        var (ours, theirs, inputs, targets) = TwinMlps(seed: 7);
        var options = new AdamWOptions(Beta1: 0.9, Beta2: 0.95, Epsilon: 1e-8, WeightDecay: 0.1, DecayFilter: _ => true);
        using var optimizer = new AdamW(ours.named_parameters(), options);
        using var reference = optim.AdamW(theirs.parameters(), lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1, amsgrad: false);
        double[] learningRates = [1e-2, 2e-2, 3e-2, 3e-2, 2e-2, 1e-2, 5e-3, 5e-3, 1e-3, 1e-3];
        foreach (double lr in learningRates)
        {
            foreach (var group in reference.ParamGroups) group.LearningRate = lr;
            TrainStep(ours, inputs, targets, () => optimizer.Step(lr), optimizer.ZeroGrad);
            TrainStep(theirs, inputs, targets, () => reference.step(), () => reference.zero_grad());
        }

        double maxDiff = 0, maxChange = 0;
        var initial = TwinMlps(seed: 7).Ours.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var ((name, a), (_, b)) in ours.named_parameters().Zip(theirs.named_parameters()))
        {
            maxDiff = Math.Max(maxDiff, (a - b).abs().max().item<float>());
            maxChange = Math.Max(maxChange, (a - initial[name]).abs().max().item<float>());
        }
        Assert.True(maxChange > 1e-2, $"the parameters barely moved ({maxChange}), so the comparison would prove little");
        Assert.True(maxDiff < 1e-6, $"max |ours - torch| = {maxDiff}");
    }

    [Fact]
    public void Resuming_from_exported_state_continues_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var (uninterrupted, resumed, inputs, targets) = TwinMlps(seed: 3);
        using var first = new AdamW(uninterrupted.named_parameters());
        for (int i = 0; i < 3; i++) TrainStep(uninterrupted, inputs, targets, () => first.Step(1e-2), first.ZeroGrad);

        // "Checkpoint": weights and optimizer state copied out, then loaded into a fresh model and optimizer.
        var savedState = first.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using (no_grad())
            foreach (var ((_, target), (_, source)) in resumed.named_parameters().Zip(uninterrupted.named_parameters()))
                target.copy_(source);
        using var second = new AdamW(resumed.named_parameters());
        second.LoadState(savedState, first.StepCount);

        for (int i = 0; i < 3; i++)
        {
            TrainStep(uninterrupted, inputs, targets, () => first.Step(5e-3), first.ZeroGrad);
            TrainStep(resumed, inputs, targets, () => second.Step(5e-3), second.ZeroGrad);
        }
        Assert.Equal(6, second.StepCount);
        foreach (var ((name, a), (_, b)) in uninterrupted.named_parameters().Zip(resumed.named_parameters()))
            Assert.True((a == b).all().item<bool>(), $"{name} differs after resuming");
    }

    [Fact]
    public void Loading_state_with_a_wrong_shape_or_missing_or_extra_tensor_names_it()
    {
        using var scope = NewDisposeScope();
        var (model, _, _, _) = TwinMlps(seed: 1);
        using var optimizer = new AdamW(model.named_parameters());
        var good = optimizer.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var wrongShape = new Dictionary<string, Tensor>(good) { ["exp_avg_sq.2.weight"] = zeros(5, 5) };
        var ex = Assert.Throws<TensorSetMismatchException>(() => optimizer.LoadState(wrongShape, 1));
        Assert.Contains("'exp_avg_sq.2.weight' has shape [5, 5], expected [3, 16]", ex.Message);

        var missing = new Dictionary<string, Tensor>(good);
        missing.Remove("exp_avg.0.bias");
        Assert.Contains("'exp_avg.0.bias' is missing", Assert.Throws<TensorSetMismatchException>(() => optimizer.LoadState(missing, 1)).Message);

        var extra = new Dictionary<string, Tensor>(good) { ["exp_avg.9.weight"] = zeros(1) };
        Assert.Contains("'exp_avg.9.weight'", Assert.Throws<TensorSetMismatchException>(() => optimizer.LoadState(extra, 1)).Message);
        Assert.Equal(0, optimizer.StepCount);   // nothing was loaded
    }

    [Fact]
    public void Default_filter_decays_matrices_and_embeddings_but_not_norm_weights_or_biases()
    {
        var config = LlamaPresets.Get("smoke") with { NumHiddenLayers = 1, AttentionBias = true };
        using var model = new LlamaModel(config);
        using var optimizer = new AdamW(model.named_parameters());
        var decays = optimizer.ParameterDecay.ToDictionary(g => g.Name, g => g.Decays);

        Assert.True(decays["model.embed_tokens.weight"]);
        Assert.True(decays["model.layers.0.self_attn.q_proj.weight"]);
        Assert.True(decays["model.layers.0.mlp.down_proj.weight"]);
        Assert.True(decays["lm_head.weight"]);
        Assert.False(decays["model.layers.0.self_attn.q_proj.bias"]);
        Assert.False(decays["model.layers.0.input_layernorm.weight"]);
        Assert.False(decays["model.layers.0.post_attention_layernorm.weight"]);
        Assert.False(decays["model.norm.weight"]);
        // Every name the default keeps from decay is a 1-D tensor (nanoGPT's dim >= 2 rule agrees on this model).
        foreach (var (name, parameter) in model.named_parameters())
            Assert.Equal(parameter.dim() >= 2, decays[name]);
    }

    [Fact]
    public void Weight_decay_is_decoupled_and_skips_excluded_parameters()
    {
        // With a zero gradient Adam's step is 0/(0+eps) = 0, so only the decoupled decay p·(1 - lr·wd) moves p.
        var matrix = new Parameter(full(new long[] { 2, 2 }, 2.0, ScalarType.Float64));
        var gain = new Parameter(full(new long[] { 2 }, 2.0, ScalarType.Float64));
        using var optimizer = new AdamW([("proj.weight", matrix), ("norm.weight", gain)], new AdamWOptions(WeightDecay: 0.1));
        matrix.grad = zeros_like(matrix);
        gain.grad = zeros_like(gain);
        optimizer.Step(0.5);
        AssertClose([1.9, 1.9, 1.9, 1.9], matrix, 1e-15);
        AssertClose([2.0, 2.0], gain, 0);
    }

    [Fact]
    public void Options_round_trip_through_json_without_the_filter()
    {
        var options = new AdamWOptions(Beta2: 0.99, WeightDecay: 0.05, DecayFilter: _ => true);
        var copy = System.Text.Json.JsonSerializer.Deserialize<AdamWOptions>(System.Text.Json.JsonSerializer.Serialize(options))!;
        Assert.Equal(options with { DecayFilter = null }, copy);
    }

    internal static (Sequential Ours, Sequential Theirs, Tensor Inputs, Tensor Targets) TwinMlps(int seed)
    {
        random.manual_seed(seed);
        var ours = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3));
        var theirs = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3));
        using (no_grad())
            foreach (var ((_, a), (_, b)) in theirs.named_parameters().Zip(ours.named_parameters()))
                a.copy_(b);
        var generator = new Generator((ulong)seed + 1000);
        return (ours, theirs, randn([8, 4], generator: generator), randn([8, 3], generator: generator));
    }

    internal static void TrainStep(Sequential model, Tensor inputs, Tensor targets, Action step, Action zeroGrad)
    {
        using var scope = NewDisposeScope();
        var loss = nn.functional.mse_loss(model.forward(inputs), targets);
        loss.backward();
        step();
        zeroGrad();
    }

    private static void AssertClose(double[] expected, Tensor actual, double tolerance)
    {
        var values = actual.to(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {values[i]:R}");
    }
}
