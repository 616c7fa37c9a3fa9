using Llama.Core;
using System.CommandLine;
using System.Globalization;
using Llama.Platform.Configuration;
using Llama.Pretraining.Training;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama pretrain --data DIR_OR_ID --preset tiny [--config FILE] [--out DIR] [--resume]</c> (contract): trains on
/// curated shards and ends in a Hugging Face directory (<c>OUT/model</c>) that <c>llama generate</c> loads.
/// <c>--tp/--cp/--pp/--dp</c> run it 4D-parallel under mpirun (<see cref="ParallelPretrainOptions"/>).
/// </summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var platform = new PlatformOptions();
        var data = new Option<string>("--data") { Description = "A curated folder (llama curate --output) or a dataset artifact id", Required = true };
        var preset = new Option<string>("--preset") { Description = $"Recipe: {string.Join(", ", PretrainPresets.Names)}", DefaultValueFactory = _ => "tiny" };
        var config = new Option<string?>("--config") { Description = "Pretraining config JSON (replaces the preset; `llama pretrain print-config --preset P` shows one)" };
        var output = new Option<string?>("--out") { Description = "Output folder (checkpoints/, model/, report.md, loss.png); default out/pretrain-PRESET" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the latest checkpoint in --out" };
        var steps = new Option<long?>("--steps") { Description = "Override the total steps (warm-up kept, decay and annealing scaled)" };
        var set = new Option<string[]>("--set") { Description = "Override one config value by its JSON path, e.g. --set schedule.peakLearningRate=1e-3 (repeatable)" };
        var name = new Option<string?>("--name") { Description = "Run name (default: the output folder's name)" };
        var noRecord = new Option<bool>("--no-record") { Description = "Do not record the run in the metadata database and object store" };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var parallel = new ParallelPretrainOptions();
        var command = new Command("pretrain", "Pretrain a Llama model on curated token shards (warm-up, cosine, annealing, Polyak averaging)")
        {
            data, preset, config, output, resume, steps, set, name, noRecord, device, threads,
        };
        platform.AddTo(command);
        parallel.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var pretrainConfig = parse.GetValue(config) is { } path ? PretrainConfig.Load(path) : PretrainPresets.Get(parse.GetValue(preset)!);
            if (parse.GetValue(steps) is { } total) pretrainConfig = WithTotalSteps(pretrainConfig, total);
            pretrainConfig = JsonOverrides.Apply(pretrainConfig, parse.GetValue(set) ?? [], PretrainConfig.Json);
            pretrainConfig.Validate("--set");
            string outputFolder = parse.GetValue(output) ?? Path.Combine("out", $"pretrain-{parse.GetValue(preset)}");
            var request = new PretrainRequest(parse.GetValue(data)!, pretrainConfig, outputFolder, parse.GetValue(resume), parse.GetValue(name), parse.GetValue(device)!);
            var line = new ConsoleProgressLine();
            var inv = CultureInfo.InvariantCulture;
            var progress = new SynchronousProgress<TrainingStep>(s => line.Show(s.Step / (double)s.TotalSteps, string.Create(inv,
                $"step {s.Step}/{s.TotalSteps}: loss {s.Loss:0.000}{(s.ValidationLoss is { } v ? $", val {v:0.000}" : "")}, lr {s.LearningRate:0.0e0}, {s.TokensPerSecond:N0} tok/s, MFU {s.Mfu:P1}")));
            if (parallel.IsParallel(parse, request)) return await parallel.RunAsync(parse, request, parse.GetValue(threads), progress, cancellation);
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var outcome = await PretrainRunner.RunAsync(request, parse.GetValue(noRecord) ? null : platform.Resolve(parse), progress, cancellation);
            line.Done();
            var r = outcome.Report;
            Console.WriteLine(string.Create(inv, $"validation loss {r.FinalValidationLoss:0.000} nats/token (unigram baseline {r.UnigramBaseline:0.000}) after {r.Steps} steps, {r.TokensSeen:N0} tokens"));
            if (r.Samples.Count > 0)
                Console.WriteLine(string.Create(inv, $"sample ({r.KnownWordRate:P0} of sampled words occur in the training text): {r.Samples[0].Prompt}|{r.Samples[0].Continuation}").ReplaceLineEndings(" "));
            Console.WriteLine($"model: {outcome.ModelDirectory}  (llama generate --model {outcome.ModelDirectory} --prompt \"...\")");
            Console.WriteLine($"report: {Path.Combine(outputFolder, "report.md")}");
            if (outcome.ModelArtifactId is { } model) Console.WriteLine($"model artifact {model} (run {outcome.RunId})");
            return 0;
        });
        var printPreset = new Option<string>("--preset") { DefaultValueFactory = _ => "tiny" };
        var print = new Command("print-config", "Print a preset's pretraining config as JSON") { printPreset };
        print.SetAction(parse => { Console.WriteLine(PretrainPresets.Get(parse.GetValue(printPreset)!).ToJson()); return 0; });
        command.Subcommands.Add(print);
        return command;
    }

    /// <summary>Same recipe over another number of steps: warm-up kept, decay and annealing scaled to fit.</summary>
    internal static PretrainConfig WithTotalSteps(PretrainConfig config, long total)
    {
        var s = config.Schedule;
        if (total <= s.WarmupSteps) throw new ArgumentException($"--steps ({total}) must exceed the warm-up ({s.WarmupSteps} steps)");
        long anneal = Math.Max(config.AnnealCheckpoints, (long)Math.Round(s.AnnealSteps * (double)total / s.TotalSteps));
        return config with { Schedule = s with { TotalSteps = total, AnnealSteps = anneal, DecaySteps = total - anneal - s.WarmupSteps } };
    }
}
