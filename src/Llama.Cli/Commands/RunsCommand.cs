using System.CommandLine;
using System.Globalization;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Cli.Commands;

/// <summary><c>llama runs list</c>: every stage's executions recorded in the metadata database, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var platform = new PlatformOptions();
        var kind = new Option<string?>("--kind") { Description = "Only runs of this stage (curation, pretraining, ...)" };
        var status = new Option<string?>("--status") { Description = $"Only runs in this state: {string.Join(", ", Enum.GetNames<RunStatus>())}" };
        var limit = new Option<int>("--limit") { Description = "Most runs to list", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List runs, newest first") { kind, status, limit };
        platform.AddTo(list);
        list.SetAction(async (parse, cancellation) =>
        {
            RunStatus? state = parse.GetValue(status) is { } s
                ? Enum.TryParse<RunStatus>(s, ignoreCase: true, out var parsed) ? parsed
                    : throw new ArgumentException($"--status '{s}' is not one of {string.Join(", ", Enum.GetNames<RunStatus>())}")
                : null;
            if (parse.GetValue(limit) <= 0) throw new ArgumentException("--limit must be positive");
            var store = await platform.OpenForReadingAsync(parse, cancellation);
            if (store is null) return 0;
            var runs = await new RunTracker(store).ListAsync(parse.GetValue(kind), state, parse.GetValue(limit), cancellation);
            Console.WriteLine($"{"ID",-36}  {"KIND",-14} {"STATUS",-10} {"STARTED (UTC)",-19}  {"DURATION",9}  NAME");
            foreach (var run in runs)
            {
                string started = run.StartedAt?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
                string duration = run.StartedAt is { } a && run.FinishedAt is { } b ? $"{(b - a).TotalSeconds:0.0}s" : "-";
                Console.WriteLine($"{run.Id,-36}  {run.Kind,-14} {run.Status,-10} {started,-19}  {duration,9}  {run.Name}");
            }
            Console.Error.WriteLine($"{runs.Count} run(s) in {store.Describe()}");
            return 0;
        });
        return new Command("runs", "Runs recorded in the metadata database") { list };
    }
}
