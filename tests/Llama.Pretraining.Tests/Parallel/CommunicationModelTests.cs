using Llama.Core.Config;
using Llama.Pretraining.Parallel;

namespace Llama.Pretraining.Tests.Parallel;

/// <summary>The bytes each layout hands to its process groups per step equal the analytical figure derived from the model shape.</summary>
public sealed class CommunicationModelTests
{
    [Theory]
    [InlineData("dp2")]
    [InlineData("dp2-replicated")]
    [InlineData("tp2")]
    [InlineData("pp2")]
    [InlineData("cp2")]
    [InlineData("tp2-cp2-pp2-dp2")]
    public void Measured_traffic_per_step_equals_the_analytical_figure(string name)
    {
        int Degree(string dim) => name.Split('-').FirstOrDefault(p => p.StartsWith(dim)) is { } p ? int.Parse(p[dim.Length..]) : 1;
        var layout = new ParallelDimensions(Degree("tp"), Degree("cp"), Degree("pp"), Degree("dp")) { ShardedDataParallel = !name.Contains("replicated") };
        var config = LlamaPresets.Get("smoke");
        var results = InProcessWorld.Run(layout.WorldSize, world => ParallelBenchmark.Run(config, layout, world, sequences: 8, sequenceLength: 64, microBatch: 2, steps: 1));
        var result = results[0];
        Assert.True(result.MeasuredBytesPerStep > 0);
        Assert.Equal(result.AnalyticalByKind, result.MeasuredByKind);
    }
}
