using Llama.Core.Training;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Llama.Core.Config;
using Llama.Core.Devices;
using Llama.Core.Model;
using Llama.Pretraining.Optimization;
using Llama.Pretraining.Training;
using static TorchSharp.torch;
using AdamW = Llama.Core.Training.AdamW;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench pretraining --preset tiny|small</c>: training-step throughput (forward, backward, clipping, AdamW)
/// at the preset's first batch and sequence length, on random token ids (speed does not depend on the values), as
/// tokens/s and MFU against the fp32 matmul peak measured on this machine at start.
/// </summary>
internal static class PretrainBench
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Pretraining preset", DefaultValueFactory = _ => "tiny" };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after 2 warm-up steps)", DefaultValueFactory = _ => 10 };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("pretraining", "Training tokens/s and MFU of a preset") { preset, steps, device, threads };
        command.SetAction(parse =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            if (parse.GetValue(steps) <= 0) throw new ArgumentException("--steps must be positive");
            Run(PretrainPresets.Get(parse.GetValue(preset)!), parse.GetValue(steps), DeviceSpec.Parse(parse.GetValue(device)!));
            return 0;
        });
        return command;
    }

    private static void Run(PretrainConfig config, int steps, Device device)
    {
        var inv = CultureInfo.InvariantCulture;
        var modelConfig = LlamaPresets.Get(config.Model);
        int sequence = config.Context.SequenceLengthAt(0);
        int sequences = config.BatchRamp.SequencesAt(0, sequence);
        double peak = MatmulPeak.Measure(device);
        using var model = new LlamaModel(modelConfig, device);
        model.InitializeWeights(1);
        model.train();
        using var optimizer = new AdamW(model.named_parameters().Select(p => (p.name, p.parameter)), config.OptimizerOptions);
        var generator = new Generator(7, CPU);
        Console.WriteLine(string.Create(inv, $"preset {config.Model}: {ModelSize.Of(modelConfig).Total:N0} parameters, batch {sequences} x {sequence} tokens (micro-batches of {config.MicroBatchSequences}), {get_num_threads()} threads on {device}"));
        Console.WriteLine(string.Create(inv, $"fp32 matmul peak measured here: {peak / 1e9:0.0} GFLOP/s"));

        double Step()
        {
            using var scope = NewDisposeScope();
            var ids = randint(0, modelConfig.VocabSize, [sequences, sequence + 1], generator: generator, dtype: ScalarType.Int64).to(device);
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < sequences; start += config.MicroBatchSequences)
            {
                int rows = Math.Min(config.MicroBatchSequences, sequences - start);
                var batch = ids.narrow(0, start, rows);
                var logits = model.Forward(batch.narrow(1, 0, sequence));
                var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), batch.narrow(1, 1, sequence).reshape(-1));
                loss.backward();
            }
            GradientClipping.ClipGlobalNorm(model.parameters(), config.ClipNorm);
            optimizer.Step(1e-4);
            optimizer.ZeroGrad();
            return clock.Elapsed.TotalSeconds;
        }

        Step();
        Step();
        var times = Enumerable.Range(0, steps).Select(_ => Step()).Order().ToArray();
        double median = times[times.Length / 2];
        double tokensPerSecond = sequences * sequence / median;
        double mfu = Mfu.Compute(tokensPerSecond, modelConfig, sequence, peak);
        Console.WriteLine(string.Create(inv, $"training: {tokensPerSecond:N0} tokens/s (median step {median * 1000:0} ms), MFU {mfu:P1} of the measured peak"));
    }
}
