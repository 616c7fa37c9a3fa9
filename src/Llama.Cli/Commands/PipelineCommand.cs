using Llama.Core;
using System.CommandLine;
using Llama.Cli.Pipeline;
using Llama.Pretraining.Training;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama pipeline [--preset smoke|tiny] [--out DIR]</c>: the whole lifecycle on the embedded platform (or the one
/// <c>--home</c>/<c>--metadata</c> name), resumable: run it again in the same folder and finished steps are skipped.
/// </summary>
internal static class PipelineCommand
{
    public static Command Create()
    {
        var platform = new PlatformOptions();
        var preset = new Option<string>("--preset") { Description = $"How big: {string.Join(", ", PipelinePreset.All.Keys)}", DefaultValueFactory = _ => "tiny" };
        var output = new Option<string?>("--out") { Description = "The pipeline's folder (default out/pipeline-PRESET); run again to resume" };
        var data = new Option<string?>("--data") { Description = "The data folder holding corpus/ and heldout/ (default: the repository's data/)" };
        var noRecord = new Option<bool>("--no-record") { Description = "Do not record runs and artifacts on the platform" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var command = new Command("pipeline", "Run the whole lifecycle end to end: curate, tokenizer, pretrain, and every later stage") { preset, output, data, noRecord, device };
        platform.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var chosen = PipelinePreset.Get(parse.GetValue(preset)!);
            string folder = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine("out", $"pipeline-{chosen.Name}"));
            string dataFolder = parse.GetValue(data) is { } d ? Path.GetFullPath(d) : DemoData.Find();
            var state = PipelineState.LoadOrCreate(folder, chosen.Name);
            var line = new ConsoleProgressLine();
            var progress = new SynchronousProgress<(double Fraction, string Status)>(p => line.Show(p.Fraction, p.Status));
            var context = new PipelineContext(folder, chosen, dataFolder, parse.GetValue(noRecord) ? null : platform.Resolve(parse), state,
                parse.GetValue(device)!, progress);
            int total = PipelineRunner.Steps.Count;
            var outcome = await PipelineRunner.RunAsync(context, (step, i) =>
            {
                line.Done();
                Console.WriteLine($"[{i + 1}/{total}] {step.Name}: {step.Title}");
            }, cancellation);
            line.Done();
            if (outcome.SkippedSteps.Count > 0) Console.WriteLine($"finished before, skipped: {string.Join(", ", outcome.SkippedSteps)}");
            foreach (var (name, record) in outcome.State.Steps)
                foreach (var summary in record.Summary) Console.WriteLine($"  {name}: {summary}");
            Console.WriteLine($"report: {outcome.ReportPath}");
            Console.WriteLine($"next: {PipelineRunner.ServeCommand(outcome.State)}");
            return 0;
        });
        return command;
    }
}

/// <summary>Finds the repository's <c>data/</c> folder (with <c>corpus/</c>) from the working folder or the executable's.</summary>
internal static class DemoData
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, "data");
                if (Directory.Exists(Path.Combine(candidate, "corpus"))) return candidate;
            }
        }
        throw new DirectoryNotFoundException("no data/corpus folder above the working folder or the llama executable; pass --data DIR");
    }
}
