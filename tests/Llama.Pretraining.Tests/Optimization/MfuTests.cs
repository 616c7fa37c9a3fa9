using Llama.Core.Config;
using Llama.Pretraining.Optimization;
using static TorchSharp.torch;

namespace Llama.Pretraining.Tests.Optimization;

public class MfuTests
{
    [Fact]
    public void Mfu_is_achieved_model_flops_over_peak()
    {
        // The paper's 405B figure: 430 TFLOP/s per GPU of ~989 dense BF16 peak is ~43%.
        double flopsPerToken = 6 * 405e9;
        double tokensPerSecond = 430e12 / flopsPerToken;
        Assert.Equal(430.0 / 989.0, Mfu.Compute(tokensPerSecond, flopsPerToken, 989e12), 12);
    }

    [Fact]
    public void Mfu_from_a_config_uses_its_training_flops_per_token()
    {
        var config = LlamaPresets.Get("tiny");
        double perToken = ModelSize.TrainingFlopsPerToken(config, 256);
        Assert.Equal(2_000 * perToken / 1e11, Mfu.Compute(2_000, config, 256, 1e11), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mfu.Compute(1, perToken, 0));
    }

    [Fact]
    public void Measured_cpu_matmul_peak_is_a_plausible_rate()
    {
        double flops = MatmulPeak.Measure(CPU, size: 256, repeats: 3);
        // 2 shared cores manage tens to hundreds of GFLOP/s; anything outside [1e7, 1e13] means the timing is wrong.
        Assert.InRange(flops, 1e7, 1e13);
    }
}
