using System.Text.Json;
using System.Text.Json.Serialization;
using Llama.Evaluation.Tasks;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Evaluation.Running;

/// <summary>What to evaluate: the model (directory or artifact id), the tasks (built-in names or task files), how, and where to write.</summary>
public sealed record EvaluationRequest(string Model, IReadOnlyList<string> Tasks, EvaluationSettings Settings, string? Output = null,
    string Device = "cpu", string? Tokenizer = null, string? DataDirectory = null, string? Name = null);

/// <summary>A finished evaluation: every task's results, the model artifact they are stored under and the run.</summary>
public sealed record EvaluationOutcome(string Model, Guid? ModelArtifactId, Guid? RunId, EvaluationSettings Settings, IReadOnlyList<TaskResult> Results, string? OutputFile);

/// <summary>
/// The one entry point of the evaluation stage (<c>llama eval</c> and the evaluation service): loads the model,
/// runs each task, writes the results file (lm-eval's shape: results per task, the config), and records every
/// metric as an <see cref="EvalResult"/> of the model artifact under an <c>evaluation</c> run.
/// </summary>
public static class EvaluationRunner
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<EvaluationOutcome> RunAsync(EvaluationRequest request, PlatformSettings? platform,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellation = default)
    {
        request.Settings.Validate();
        if (request.Tasks.Count == 0) throw new ArgumentException("--tasks: name at least one task");
        string data = request.DataDirectory ?? TaskCatalog.FindDataDirectory() ?? Path.GetFullPath("data");
        var catalog = new TaskCatalog(data);
        // Every task file is read (and a bad one reported) before the model is loaded.
        var tasks = request.Tasks.Select(catalog.Get).ToList();

        var loaded = await ModelLoader.LoadAsync(request.Model, request.Tokenizer, request.Device, request.Settings, platform, cancellation);
        using var model = loaded.Model;
        Run? run = null;
        RunTracker? runs = null;
        if (platform is not null && loaded.ArtifactId is { } artifact)
        {
            runs = new RunTracker(new MetadataStore(platform.Metadata));
            run = await runs.StartAsync("evaluation", request.Name ?? $"eval {loaded.Name}",
                JsonSerializer.Serialize(new { request.Model, request.Tasks, request.Settings, request.Device }, Json), [(artifact, "model")], cancellation: cancellation);
        }
        try
        {
            var evaluator = new TaskEvaluator(model, request.Settings);
            var results = new List<TaskResult>();
            EvaluationOutcome outcome = new(loaded.Directory, loaded.ArtifactId, run?.Id, request.Settings, results, request.Output);
            foreach (var task in tasks)
            {
                TorchSharp.torch.manual_seed(request.Settings.Seed);
                var taskResults = await evaluator.EvaluateAsync(task, progress, cancellation);
                results.AddRange(taskResults);
                // Each task is stored as soon as it is done: a crash or a cancel later loses only the task in progress.
                if (run is not null) await RecordAsync(platform!, outcome, taskResults, cancellation);
                if (request.Output is { } output) WriteResultsFile(output, outcome);
            }
            if (runs is not null && run is not null) await runs.FinishAsync(run.Id, RunStatus.Succeeded, cancellation: cancellation);
            return outcome;
        }
        catch (Exception e) when (runs is not null && run is not null)
        {
            await runs.FinishAsync(run.Id, e is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed, e.Message, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The results file: per task, each metric and its standard error, the items scored, the format; and the run's settings.</summary>
    public static void WriteResultsFile(string path, EvaluationOutcome outcome)
    {
        var results = outcome.Results.ToDictionary(r => r.Task, r =>
        {
            var metrics = new Dictionary<string, object?>();
            foreach (var m in r.Metrics)
            {
                metrics[m.Metric] = m.Value;
                metrics[$"{m.Metric}_stderr"] = m.StandardError;
            }
            metrics["samples"] = r.Samples;
            metrics["available"] = r.Available;
            metrics["format"] = r.Format;
            if (r.Notes.Count > 0) metrics["notes"] = r.Notes;
            return metrics;
        });
        var document = new { model = outcome.Model, model_artifact = outcome.ModelArtifactId, run = outcome.RunId, config = outcome.Settings, results };
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(document, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static async Task RecordAsync(PlatformSettings platform, EvaluationOutcome outcome, IReadOnlyList<TaskResult> results, CancellationToken cancellation)
    {
        var registry = new ArtifactRegistry(new MetadataStore(platform.Metadata));
        foreach (var result in results)
        {
            string config = JsonSerializer.Serialize(new { format = result.Format, limit = outcome.Settings.Limit, seed = outcome.Settings.Seed, available = result.Available, notes = result.Notes }, Json);
            foreach (var metric in result.Metrics.Where(m => double.IsFinite(m.Value)))
                await registry.RecordEvalResultAsync(new NewEvalResult(outcome.ModelArtifactId!.Value, result.Task, metric.Metric, metric.Value,
                    metric.StandardError is { } se && double.IsFinite(se) ? se : null, result.Samples, config, outcome.RunId), cancellation);
        }
    }
}
