using System.CommandLine;
using System.Globalization;
using Llama.Evaluation.Reports;
using Llama.Evaluation.Running;
using Llama.Evaluation.Tasks;
using Llama.Platform.Artifacts;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama eval --model DIR_OR_ID --tasks a,b [--limit N] [--output FILE.json]</c> (contract): scores a model on
/// held-out tasks with lm-evaluation-harness semantics and stores each metric as an EvalResult of the model
/// artifact. <c>llama eval report --models ID,ID</c> compares stored results (markdown + PNG);
/// <c>llama eval tasks</c> lists the built-in tasks.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var platform = new PlatformOptions();
        var model = new Option<string>("--model") { Description = "A Hugging Face model directory, or a model/checkpoint artifact id (6+ digit prefix)", Required = true };
        var tasks = new Option<string>("--tasks") { Description = $"Comma-separated built-in tasks ({string.Join(", ", TaskCatalog.BuiltinNames)}) or task files (.yaml/.json)", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Score at most N items per task (all when the task has fewer)" };
        var output = new Option<string?>("--output") { Description = "Write the results as JSON to this file" };
        var fewshot = new Option<int?>("--num-fewshot") { Description = "Few-shot examples per prompt (default: each task's own, usually 0)" };
        var chat = new Option<bool>("--apply-chat-template") { Description = "Put each prompt in a user turn of the Llama 3 chat template (default: raw text after BOS)" };
        var seed = new Option<int>("--seed") { Description = "Seed for few-shot draws and sampling", DefaultValueFactory = _ => 1234 };
        var batch = new Option<int>("--batch-size") { Description = "Sequences per forward pass when scoring", DefaultValueFactory = _ => 16 };
        var maxLength = new Option<int>("--max-length") { Description = "Longest input of one forward pass (capped by the model's context)", DefaultValueFactory = _ => 2048 };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer directory, when the model's has none (a training checkpoint)" };
        var data = new Option<string?>("--data") { Description = "The data/ folder built-in tasks read (default: found above the working folder)" };
        var name = new Option<string?>("--name") { Description = "Run name (default: eval MODEL)" };
        var noRecord = new Option<bool>("--no-record") { Description = "Do not record the run and results in the metadata database" };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("eval", "Evaluate a model on held-out tasks (multiple choice, perplexity, generation; lm-evaluation-harness semantics)")
        {
            model, tasks, limit, output, fewshot, chat, seed, batch, maxLength, tokenizer, data, name, noRecord, device, threads,
        };
        platform.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var settings = new EvaluationSettings
            {
                Limit = parse.GetValue(limit), NumFewshot = parse.GetValue(fewshot), ChatTemplate = parse.GetValue(chat),
                Seed = parse.GetValue(seed), BatchSize = parse.GetValue(batch), MaxLength = parse.GetValue(maxLength),
            };
            var taskNames = parse.GetValue(tasks)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var request = new EvaluationRequest(parse.GetValue(model)!, taskNames, settings, parse.GetValue(output), parse.GetValue(device)!,
                parse.GetValue(tokenizer), parse.GetValue(data), parse.GetValue(name));
            var line = new ConsoleProgressLine();
            var progress = new SynchronousProgress(p => line.Show(p.Total == 0 ? 0 : p.Done / (double)p.Total, $"{p.Task}: {p.Done}/{p.Total}"));
            var outcome = await EvaluationRunner.RunAsync(request, parse.GetValue(noRecord) ? null : platform.Resolve(parse), progress, cancellation);
            line.Done();
            Print(outcome);
            return 0;
        });
        command.Subcommands.Add(CreateReport(platform));
        var list = new Command("tasks", "List the built-in tasks");
        list.SetAction(parse =>
        {
            var catalog = new TaskCatalog(TaskCatalog.FindDataDirectory() ?? "data");
            foreach (var task in TaskCatalog.BuiltinNames.Select(catalog.Get)) Console.WriteLine($"{task.Task,-24} {task.Description}");
            return 0;
        });
        command.Subcommands.Add(list);
        return command;
    }

    private static void Print(EvaluationOutcome outcome)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"| task | metric | value | stderr | n | format |");
        Console.WriteLine("|---|---|---:|---:|---:|---|");
        foreach (var r in outcome.Results)
        {
            foreach (var m in r.Metrics)
                Console.WriteLine(string.Create(inv, $"| {r.Task} | {m.Metric} | {m.Value:0.0000} | {(m.StandardError is { } se ? se.ToString("0.0000", inv) : "–")} | {r.Samples} | {r.Format.Formatting}, {r.Format.NumFewshot}-shot |"));
            foreach (var note in r.Notes) Console.Error.WriteLine($"note ({r.Task}): {note}");
        }
        if (outcome.OutputFile is { } file) Console.WriteLine($"results: {file}");
        if (outcome.ModelArtifactId is { } id) Console.WriteLine($"stored as EvalResults of model artifact {id} (run {outcome.RunId}); compare: llama eval report --models {id},...");
    }

    private static Command CreateReport(PlatformOptions platform)
    {
        var models = new Option<string>("--models") { Description = "Comma-separated model/checkpoint artifact ids (or 6+ digit prefixes), in column order", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for report.md and report.png", DefaultValueFactory = _ => Path.Combine("out", "eval-report") };
        var report = new Command("report", "Compare the stored results of several checkpoints or stages (markdown + PNG chart)") { models, output };
        platform.AddTo(report);
        report.SetAction(async (parse, cancellation) =>
        {
            var store = await platform.OpenForReadingAsync(parse, cancellation);
            if (store is null) return 1;
            var ids = parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var compared = await EvalComparison.LoadAsync(new ArtifactRegistry(store), ids, cancellation);
            var (md, png) = EvalComparison.Write(parse.GetValue(output)!, compared);
            Console.WriteLine($"report: {md}\nchart: {png}");
            return 0;
        });
        return report;
    }

    private sealed class SynchronousProgress(Action<EvaluationProgress> report) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => report(value);
    }
}
