using System.Diagnostics;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Pretraining.Parallel.ProcessGroups;
using static TorchSharp.torch;
using AdamW = Llama.Core.Training.AdamW;

namespace Llama.Pretraining.Parallel;

/// <summary>One layout's measurement: training tokens/s over the world and rank 0's traffic per step, measured and analytical.</summary>
public sealed record ParallelBenchmarkResult(ParallelDimensions Layout, double TokensPerSecond, long MeasuredBytesPerStep, long AnalyticalBytesPerStep,
    IReadOnlyDictionary<string, long> MeasuredByKind, IReadOnlyDictionary<string, long> AnalyticalByKind);

/// <summary>
/// Times full training steps (forward, backward, gradient reduction, clipping, AdamW) of a model under a layout on
/// random token ids (one document per sequence; speed and traffic do not depend on the values), after one warm-up step.
/// </summary>
public static class ParallelBenchmark
{
    /// <summary>Collective over <paramref name="world"/>; every rank returns the same result.</summary>
    public static ParallelBenchmarkResult Run(LlamaConfig config, ParallelDimensions layout, IProcessGroup world, int sequences, int sequenceLength, int microBatch, int steps)
    {
        layout.Validate(world.Size, config);
        using var mesh = new DeviceMesh(world, layout);
        using var model = new LlamaModel(config);
        model.InitializeWeights(seed: 1);
        using var parallel = new ParallelLlama(model, mesh);
        using var optimizer = new AdamW(parallel.Data.OptimizedParameters);
        var generator = new Generator(7);
        using var ids = randint(0, config.VocabSize, [sequences, sequenceLength + 1], generator: generator, dtype: ScalarType.Int64);
        using var inputs = ids.narrow(1, 0, sequenceLength).contiguous();
        using var targets = ids.narrow(1, 1, sequenceLength).contiguous();
        using var documents = zeros(sequences, sequenceLength, ScalarType.Int64);
        using var positions = arange(sequenceLength, ScalarType.Int64).expand(sequences, sequenceLength).contiguous();

        void Step()
        {
            parallel.ForwardBackward(inputs, targets, documents, positions, (long)sequences * sequenceLength, microBatch);
            parallel.ClipGradients(1.0);
            optimizer.Step(1e-4);
            optimizer.ZeroGrad();
        }

        Step();
        world.Barrier();
        var before = Traffic(mesh);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        world.Barrier();
        double seconds = clock.Elapsed.TotalSeconds;
        var after = Traffic(mesh);
        var measured = after.ToDictionary(kv => kv.Key, kv => (kv.Value - before[kv.Key]) / steps);
        // Every rank reports rank 0's numbers.
        using var shared = tensor(measured.Values.Select(v => world.Rank == 0 ? v : 0L).Append(world.Rank == 0 ? (long)(seconds * 1e6) : 0L).ToArray());
        world.AllReduce(shared);
        var values = shared.data<long>().ToArray();
        measured = measured.Keys.Select((k, i) => (k, values[i])).ToDictionary(x => x.k, x => x.Item2);
        var analytical = CommunicationModel.RankZeroBytesPerStep(config, layout, sequences, sequenceLength);
        double tokensPerSecond = (double)sequences * sequenceLength * steps / (values[^1] / 1e6);
        return new ParallelBenchmarkResult(layout, tokensPerSecond, measured.Values.Sum(), analytical.Values.Sum(), measured, analytical);
    }

    private static Dictionary<string, long> Traffic(DeviceMesh mesh)
    {
        var groups = new[] { mesh.World, mesh.Tp, mesh.Cp, mesh.Pp, mesh.Dp, mesh.DpCp };
        return CommunicationCounters.Kinds.ToDictionary(k => k, k => groups.Sum(g => g.Counters[k]));
    }
}
