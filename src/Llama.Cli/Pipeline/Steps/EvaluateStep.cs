using System.Globalization;
using System.Text.Json;
using Llama.Evaluation.Running;
using Llama.Evaluation.Service;

namespace Llama.Cli.Pipeline.Steps;

/// <summary>
/// Scores one model the pipeline made on the preset's evaluation tasks (<c>llama eval</c>); the pipeline has one such
/// step per model (base, aligned, FP8) so the report compares them side by side.
/// </summary>
/// <param name="source">The step whose <c>model</c> (and <c>model-artifact</c>) output is evaluated.</param>
internal sealed class EvaluateStep(string name, string source, string what) : PipelineStep
{
    public override string Name => name;
    public override string Title => $"evaluate the {what} model";
    public override string Role => "evaluation";

    /// <summary>The step this one evaluates the output of.</summary>
    public string Source => source;

    /// <summary>The model by artifact id when recorded (its results are stored under it), else its directory.</summary>
    private string Model(PipelineState state) => state.OptionalOutput(source, "model-artifact") ?? state.Output(source, "model");

    private static EvaluationJobRequest Request(PipelineContext context, string model, string runName) =>
        new(model, [.. context.Preset.EvaluationTasks], context.Preset.EvaluationLimit, Device: context.Device, Name: runName);

    public override string ServiceRequestJson(PipelineContext context) =>
        JsonSerializer.Serialize(Request(context, Model(context.State), $"pipeline-{context.Preset.Name}-{name}"), JsonSerializerOptions.Web);

    public override StepRecord FromServiceJob(ServiceJobOutcome job) => new()
    {
        StartedAt = job.StartedAt, FinishedAt = job.FinishedAt, Summary = job.Summary,
        Outputs = ServiceOutputs.Of(job, ("results", job.Output is { } o ? Path.Combine(o, "results.json") : null), ("model-artifact", job.PrimaryArtifactId?.ToString())),
    };

    public override async Task<StepRecord> RunAsync(PipelineContext context, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        string folder = context.StepFolder(this);
        Directory.CreateDirectory(folder);
        var job = Request(context, Model(context.State), $"pipeline-{context.Preset.Name}-{name}");
        var progress = new Progress<EvaluationProgress>(p => context.Progress.Report((p.Total == 0 ? 0 : p.Done / (double)p.Total, $"{p.Task}: {p.Done}/{p.Total}")));
        var outcome = await EvaluationRunner.RunAsync(new EvaluationRequest(job.Model!, job.Tasks!, job.Settings, Path.Combine(folder, "results.json"),
            context.Device, DataDirectory: context.DataFolder, Name: job.Name), context.Platform, progress, cancellation);
        var outputs = new Dictionary<string, string> { ["results"] = Path.Combine(folder, "results.json") };
        if (outcome.ModelArtifactId is { } model) outputs["model-artifact"] = model.ToString();
        var inv = CultureInfo.InvariantCulture;
        // One score per task: its first metric (acc for multiple choice, bits per byte for perplexity tasks).
        var scores = outcome.Results.Where(r => r.Metrics.Count > 0)
            .ToDictionary(r => $"{r.Task}/{r.Metrics[0].Metric}", r => r.Metrics[0].Value);
        return new StepRecord
        {
            StartedAt = started, FinishedAt = DateTime.UtcNow, Outputs = outputs, Scores = scores,
            Summary = [string.Join("; ", scores.Select(s => string.Create(inv, $"{s.Key} {s.Value:0.###}")))],
        };
    }
}
