using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Llama.Core.Config;
using Llama.Core.Devices;
using Llama.Core.Generation;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench inference</c>: forward tokens/s, and decode tokens/s with and without the KV cache, for a
/// preset with fresh random weights (speed does not depend on the values). Prints throughputs and ratios;
/// performance is measured here, never asserted in tests.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Model preset", DefaultValueFactory = _ => "tiny" };
        var batch = new Option<int>("--batch") { Description = "Sequences per forward pass", DefaultValueFactory = _ => 4 };
        var sequence = new Option<int>("--sequence") { Description = "Tokens per sequence in the forward benchmark", DefaultValueFactory = _ => 256 };
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length for the decode benchmark", DefaultValueFactory = _ => 32 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens decoded per decode run", DefaultValueFactory = _ => 128 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (the median is reported)", DefaultValueFactory = _ => 5 };
        var device = CommonOptions.Device();
        var dtype = CommonOptions.Dtype();
        var threads = CommonOptions.Threads();
        var inference = new Command("inference", "Forward and decode throughput of a preset") { preset, batch, sequence, prompt, newTokens, repeats, device, dtype, threads };
        inference.SetAction(parse =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var options = new InferenceBenchOptions(parse.GetValue(preset)!, parse.GetValue(batch), parse.GetValue(sequence),
                parse.GetValue(prompt), parse.GetValue(newTokens), parse.GetValue(repeats));
            Run(options, DeviceSpec.Parse(parse.GetValue(device)!), DeviceSpec.ParseDtype(parse.GetValue(dtype)!));
            return 0;
        });
        return new Command("bench", "Benchmarks that print throughputs and ratios")
        {
            inference, CurationBench.Create(), PretrainBench.Create(), ParallelBench.Create(), QuantizationBench.Create(), ServingBench.Create(),
            EvaluationBench.Create(), LlamaCppBench.Create(),
        };
    }

    private sealed record InferenceBenchOptions(string Preset, int Batch, int Sequence, int PromptTokens, int NewTokens, int Repeats)
    {
        public void Validate(LlamaConfig config)
        {
            if (Batch <= 0 || Sequence <= 0 || PromptTokens <= 0 || NewTokens <= 0 || Repeats <= 0)
                throw new ArgumentException("--batch, --sequence, --prompt-tokens, --new-tokens and --repeats must be positive");
            if (Sequence > config.MaxPositionEmbeddings || PromptTokens + NewTokens > config.MaxPositionEmbeddings)
                throw new ArgumentException($"lengths exceed the preset's context of {config.MaxPositionEmbeddings} tokens");
        }
    }

    private static void Run(InferenceBenchOptions o, Device device, ScalarType dtype)
    {
        var config = LlamaPresets.Get(o.Preset);
        o.Validate(config);
        using var model = new LlamaModel(config, device, dtype);
        model.InitializeWeights(seed: 1);
        model.eval();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"preset {o.Preset}: {ModelSize.Of(config).Total.ToString("N0", inv)} parameters, {dtype} on {device}, {get_num_threads()} threads");

        double forwardSeconds = Median(o.Repeats, () =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var ids = randint(0, config.VocabSize, [o.Batch, o.Sequence], dtype: ScalarType.Int64, device: device);
            var sw = Stopwatch.StartNew();
            model.Forward(ids).sum().to(ScalarType.Float32).item<float>(); // .item forces completion on asynchronous devices (read as float32: bf16 logits too)
            return sw.Elapsed.TotalSeconds;
        });
        double forwardRate = o.Batch * o.Sequence / forwardSeconds;
        Console.WriteLine($"forward   batch {o.Batch} x {o.Sequence}: {forwardRate.ToString("N0", inv)} tokens/s");

        var prompt = Enumerable.Range(0, o.PromptTokens).Select(i => (i * 7919) % config.VocabSize).ToArray();
        double Decode(bool useCache) => Median(o.Repeats, () =>
        {
            var generator = new LlamaGenerator(model);
            var options = SamplingOptions.Greedy with { MaxNewTokens = o.NewTokens, UseKvCache = useCache };
            var sw = Stopwatch.StartNew();
            int produced = generator.Generate(prompt, options).Count();
            return sw.Elapsed.TotalSeconds / produced;
        });
        double cached = 1 / Decode(useCache: true);
        double uncached = 1 / Decode(useCache: false);
        Console.WriteLine($"decode    KV cache:    {cached.ToString("N1", inv)} tokens/s (prompt {o.PromptTokens}, {o.NewTokens} new, prefill included)");
        Console.WriteLine($"decode    no cache:    {uncached.ToString("N1", inv)} tokens/s");
        Console.WriteLine($"ratio     KV cache / no cache: {(cached / uncached).ToString("0.00", inv)}x");
    }

    internal static double Median(int repeats, Func<double> measure)
    {
        measure(); // warm-up: first calls pay for allocation and kernel selection
        var samples = Enumerable.Range(0, repeats).Select(_ => measure()).Order().ToArray();
        return samples[samples.Length / 2];
    }
}
