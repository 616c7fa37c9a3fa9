using Llama.Core;
using System.Text.Json;
using System.Globalization;
using Llama.Cli.Commands;
using Llama.Pretraining.Checkpointing;
using Llama.Pretraining.Service;
using Llama.Pretraining.Training;

namespace Llama.Cli.Pipeline.Steps;

/// <summary>Pretrains the preset's model on the curated shards, with annealing and checkpoint averaging (<c>llama pretrain</c>).</summary>
internal sealed class PretrainStep : PipelineStep
{
    public override string Name => "2-pretrain";
    public override string Title => "pretrain with annealing and checkpoint averaging";
    public override string Role => "pretraining";

    private static PretrainConfig Config(PipelineContext context)
    {
        var config = PretrainPresets.Get(context.Preset.PretrainPreset);
        return context.Preset.PretrainSteps is { } steps ? PretrainCommand.WithTotalSteps(config, steps) : config;
    }

    /// <summary>The dataset artifact when the run is recorded (lineage from the model back to the raw corpus), else the folder.</summary>
    private static string Data(PipelineContext context) =>
        context.State.OptionalOutput("1-curate", "dataset-artifact") ?? context.State.Output("1-curate", "data");

    public override string ServiceRequestJson(PipelineContext context) => JsonSerializer.Serialize(
        new PretrainingJobRequest(Data(context), null, Config(context), context.StepFolder(this), $"pipeline-{context.Preset.Name}", Device: context.Device),
        PretrainConfig.Json);

    public override StepRecord FromServiceJob(ServiceJobOutcome job) => new()
    {
        StartedAt = job.StartedAt, FinishedAt = job.FinishedAt, Summary = job.Summary,
        Outputs = ServiceOutputs.Of(job, ("model", job.Output is { } o ? Path.Combine(o, "model") : null), ("model-artifact", job.PrimaryArtifactId?.ToString())),
    };

    public override async Task<StepRecord> RunAsync(PipelineContext context, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        var config = Config(context);
        string output = context.StepFolder(this);
        // A pipeline killed during training continues from the last checkpoint instead of starting over.
        bool resume = new TrainingCheckpointStore(Path.Combine(output, "checkpoints")).Latest() is not null;
        string data = Data(context);
        var progress = new SynchronousProgress<TrainingStep>(s => context.Progress.Report((s.Step / (double)s.TotalSteps,
            string.Create(CultureInfo.InvariantCulture, $"step {s.Step}/{s.TotalSteps}: loss {s.Loss:0.000}, {s.TokensPerSecond:N0} tok/s"))));
        var outcome = await PretrainRunner.RunAsync(
            new PretrainRequest(data, config, output, resume, $"pipeline-{context.Preset.Name}", context.Device), context.Platform, progress, cancellation);
        var r = outcome.Report;
        var outputs = new Dictionary<string, string> { ["model"] = outcome.ModelDirectory, ["report"] = Path.Combine(output, "report.md") };
        if (outcome.ModelArtifactId is { } model) outputs["model-artifact"] = model.ToString();
        var inv = CultureInfo.InvariantCulture;
        return new StepRecord
        {
            StartedAt = started, FinishedAt = DateTime.UtcNow, Outputs = outputs,
            Scores = new Dictionary<string, double>
            {
                ["validation_loss"] = r.FinalValidationLoss, ["unigram_baseline"] = r.UnigramBaseline, ["known_word_rate"] = r.KnownWordRate,
            },
            Summary =
            [
                string.Create(inv, $"{r.Parameters:N0} parameters, {r.Steps} steps, {r.TokensSeen:N0} tokens: validation loss {r.FinalValidationLoss:0.000} nats/token (unigram {r.UnigramBaseline:0.000})"),
                $"loss curve {Path.Combine(output, "loss.png")}",
            ],
        };
    }
}
