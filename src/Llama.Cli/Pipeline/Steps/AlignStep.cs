using System.Globalization;
using System.Text.Json;
using Llama.Alignment.Rounds;
using Llama.Alignment.Service;
using Llama.Core;

namespace Llama.Cli.Pipeline.Steps;

/// <summary>Post-trains the pretrained model: SFT, reward model, rejection sampling, DPO (<c>llama align</c>).</summary>
internal sealed class AlignStep : PipelineStep
{
    public const string StepName = "3-align";

    public override string Name => StepName;
    public override string Title => "align: SFT, reward model, rejection sampling, DPO";
    public override string Role => "alignment";

    /// <summary>
    /// The defaults plus the curated corpus as pretraining text in SFT: without it SFT on the task data takes the tiny
    /// model's prose word perplexity from 3.4e3 to 2.8e8, with it 4.3e3 (docs/BENCHMARKS.md).
    /// </summary>
    private static AlignConfig Config(PipelineContext context)
    {
        var defaults = new AlignConfig();
        var config = defaults with
        {
            DataFolder = Path.Combine(context.DataFolder, "heldout"),
            Sft = defaults.Sft with { PretrainingTokens = context.State.Output("1-curate", "data") },
        };
        return context.Preset.SizeAlignment is { } size ? size(config) : config;
    }

    /// <summary>Alignment starts from the pretrained model's directory (it records that directory as its base).</summary>
    private static string BaseModel(PipelineState state) => state.Output("2-pretrain", "model");

    public override string ServiceRequestJson(PipelineContext context) => JsonSerializer.Serialize(
        new AlignmentJobRequest(BaseModel(context.State), Config(context), context.StepFolder(this), $"pipeline-{context.Preset.Name}", context.Device),
        AlignConfig.Json);

    /// <summary>The job's folder holds report.json, which names the final model's directory (the service shares this file system).</summary>
    public override StepRecord FromServiceJob(ServiceJobOutcome job)
    {
        string? model = null;
        if (job.Output is { } folder && File.Exists(Path.Combine(folder, "report.json")))
            model = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json"))).RootElement.GetProperty("finalModel").GetString();
        return new StepRecord
        {
            StartedAt = job.StartedAt, FinishedAt = job.FinishedAt, Summary = job.Summary,
            Outputs = ServiceOutputs.Of(job, ("model", model), ("model-artifact", job.PrimaryArtifactId?.ToString())),
        };
    }

    public override async Task<StepRecord> RunAsync(PipelineContext context, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        string output = context.StepFolder(this);
        var progress = new SynchronousProgress<AlignProgress>(p =>
            context.Progress.Report((p.Total > 0 ? p.Step / (double)p.Total : 0, $"{p.Stage} {p.Step}/{p.Total}: {p.Detail}")));
        var outcome = await AlignRunner.RunAsync(new AlignRequest(BaseModel(context.State), Config(context), output, context.Device,
            $"pipeline-{context.Preset.Name}"), context.Platform, progress, cancellation);
        var r = outcome.Report;
        var outputs = new Dictionary<string, string> { ["model"] = outcome.FinalModel, ["report"] = Path.Combine(output, "report.md") };
        if (outcome.FinalModelArtifactId is { } model) outputs["model-artifact"] = model.ToString();
        var last = r.Rounds[^1];
        var scores = new Dictionary<string, double>
        {
            ["dpo_reward_accuracy"] = last.Dpo.Preferences.RewardAccuracy, ["dpo_reward_margin"] = last.Dpo.Preferences.RewardMargin,
            ["sft_reward_accuracy"] = last.Sft.Preferences.RewardAccuracy, ["sft_reward_margin"] = last.Sft.Preferences.RewardMargin,
            ["sft_preference_accuracy"] = last.Sft.Preferences.LogProbAccuracy, ["dpo_preference_accuracy"] = last.Dpo.Preferences.LogProbAccuracy,
            ["reward_model_accuracy"] = last.RewardModel.Accuracy,
        };
        foreach (var (task, accuracy) in last.Dpo.Accuracy) scores[$"{task}/accuracy"] = accuracy;
        var inv = CultureInfo.InvariantCulture;
        string Accuracies(ModelScores m) => string.Join(", ", m.Accuracy.Select(a => string.Create(inv, $"{a.Key} {a.Value:P0}")));
        return new StepRecord
        {
            StartedAt = started, FinishedAt = DateTime.UtcNow, Outputs = outputs, Scores = scores,
            Summary =
            [
                $"held-out exact match: base {Accuracies(r.Base)}; SFT {Accuracies(last.Sft)}; DPO {Accuracies(last.Dpo)}",
                string.Create(inv, $"held-out pairs: preference accuracy base {r.Base.Preferences.LogProbAccuracy:P0}, SFT {last.Sft.Preferences.LogProbAccuracy:P0}, DPO {last.Dpo.Preferences.LogProbAccuracy:P0}; ")
                    + string.Create(inv, $"reward accuracy / margin against the pretrained model SFT {last.Sft.Preferences.RewardAccuracy:P0} / {last.Sft.Preferences.RewardMargin:0.000}, DPO {last.Dpo.Preferences.RewardAccuracy:P0} / {last.Dpo.Preferences.RewardMargin:0.000}"),
                string.Create(inv, $"reward model accuracy {last.RewardModel.Accuracy:P0}"),
            ],
        };
    }
}
