using Llama.Core.Training;
using Llama.Pretraining.Optimization;
using static TorchSharp.torch;

namespace Llama.Pretraining.Tests.Optimization;

public class AveragingTests
{
    [Fact]
    public void Polyak_average_equals_the_mean_of_the_checkpoints()
    {
        using var scope = NewDisposeScope();
        float[][] a = [[1f, 2f, 3f, 4f], [0.1f, 0.2f, 0.3f, 0.7f], [-5f, 10f, 0f, 1e-3f]];
        float[][] bias = [[1f], [2f], [4f]];
        var checkpoints = a.Select((w, i) => new Dictionary<string, Tensor>
        {
            ["proj.weight"] = tensor(w).reshape(2, 2),
            ["proj.bias"] = tensor(bias[i]),
        }).ToList();

        var averaged = PolyakAverager.Average(checkpoints);

        Assert.Equal([2L, 2L], averaged["proj.weight"].shape);
        Assert.Equal(ScalarType.Float32, averaged["proj.weight"].dtype);
        var weights = averaged["proj.weight"].data<float>().ToArray();
        for (int i = 0; i < 4; i++)
            Assert.Equal((float)(((double)a[0][i] + a[1][i] + a[2][i]) / 3), weights[i]);
        Assert.Equal((float)(7.0 / 3), averaged["proj.bias"].data<float>()[0]);
    }

    [Fact]
    public void Polyak_average_is_computed_in_float64_so_bf16_inputs_round_only_once()
    {
        using var scope = NewDisposeScope();
        // bf16 values are 2 apart in [256, 512) and 4 apart in [512, 1024). Summing 256 + 258 + 258 in bf16 rounds
        // 514 to 512 and 770 to 768 (ties to even), a mean of 256; the float64 sum gives 257.33, which rounds to 258.
        var checkpoints = new[] { 256f, 258f, 258f }.Select(v => new Dictionary<string, Tensor>
        {
            ["w"] = tensor(new[] { v }).to(ScalarType.BFloat16),
        });
        var averaged = PolyakAverager.Average(checkpoints);
        Assert.Equal(ScalarType.BFloat16, averaged["w"].dtype);
        Assert.Equal(258f, averaged["w"].to(ScalarType.Float32).item<float>());
    }

    [Fact]
    public void Polyak_average_names_the_tensor_that_does_not_match()
    {
        using var scope = NewDisposeScope();
        using var averager = new PolyakAverager();
        averager.Add(new Dictionary<string, Tensor> { ["a.weight"] = zeros(2, 3), ["a.bias"] = zeros(3) });
        var shape = Assert.Throws<TensorSetMismatchException>(() =>
            averager.Add(new Dictionary<string, Tensor> { ["a.weight"] = zeros(3, 2), ["a.bias"] = zeros(3) }));
        Assert.Contains("'a.weight' has shape [3, 2], the first had [2, 3]", shape.Message);
        var missing = Assert.Throws<TensorSetMismatchException>(() =>
            averager.Add(new Dictionary<string, Tensor> { ["a.weight"] = zeros(2, 3) }));
        Assert.Contains("lacks 'a.bias'", missing.Message);
        Assert.Equal(1, averager.Count);
    }

    [Fact]
    public void Ema_copies_first_then_blends_with_the_decay()
    {
        using var scope = NewDisposeScope();
        using var ema = new EmaAverager(decay: 0.9);
        double[] values = [1.0, 3.0, -2.0];
        foreach (double v in values)
            ema.Update([("w", full(new long[] { 2 }, v, ScalarType.Float32))]);

        double expected = 1.0;                                    // first update copies
        expected = 0.9 * expected + 0.1 * 3.0;                    // 1.2
        expected = 0.9 * expected + 0.1 * -2.0;                   // 0.88
        var averaged = ema.Averaged()["w"].data<float>().ToArray();
        Assert.Equal(3, ema.UpdateCount);
        Assert.All(averaged, a => Assert.Equal(expected, a, 6));
    }
}
