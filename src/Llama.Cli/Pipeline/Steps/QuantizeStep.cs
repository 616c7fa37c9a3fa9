using System.Globalization;
using System.Text.Json;
using Llama.Quantization;
using Llama.Quantization.Running;
using Llama.Quantization.Service;

namespace Llama.Cli.Pipeline.Steps;

/// <summary>Quantizes the final model's feed-forward layers to row-wise FP8 and checks the quality (<c>llama quantize</c>).</summary>
internal sealed class QuantizeStep : PipelineStep
{
    public override string Name => "4-quantize";
    public override string Title => "quantize to row-wise FP8 with a quality check";
    public override string Role => "quantization";

    /// <summary>
    /// The aligned model (by directory: alignment records its outputs in place, not in the object store), else the
    /// pretrained one (by artifact id when recorded, so the FP8 model's lineage points at it).
    /// </summary>
    internal static string SourceModel(PipelineState state) =>
        state.OptionalOutput(AlignStep.StepName, "model")
        ?? state.OptionalOutput("2-pretrain", "model-artifact") ?? state.Output("2-pretrain", "model");

    private static QuantizeConfig Config(PipelineContext context) => new()
    {
        Quality = new QualityCheckConfig
        {
            Text = Path.Combine(context.DataFolder, "heldout", "austen-persuasion.txt"),
            MaxTokens = context.Preset.QuantizeQualityTokens, Prompts = context.Preset.QuantizeQualityPrompts,
        },
    };

    public override string ServiceRequestJson(PipelineContext context) => JsonSerializer.Serialize(
        new QuantizationJobRequest(SourceModel(context.State), context.StepFolder(this), Config(context), $"pipeline-{context.Preset.Name}-fp8", context.Device),
        QuantizeConfig.Json);

    public override StepRecord FromServiceJob(ServiceJobOutcome job) => new()
    {
        StartedAt = job.StartedAt, FinishedAt = job.FinishedAt, Summary = job.Summary,
        Outputs = ServiceOutputs.Of(job, ("model", job.Output), ("model-artifact", job.PrimaryArtifactId?.ToString())),
    };

    public override async Task<StepRecord> RunAsync(PipelineContext context, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        string output = context.StepFolder(this);
        var progress = new Progress<QuantizeProgress>(p => context.Progress.Report((p.Fraction, p.Message)));
        var outcome = await QuantizeRunner.RunAsync(new QuantizeRequest(SourceModel(context.State), output, Config(context), context.Device,
            $"pipeline-{context.Preset.Name}-fp8"), context.Platform, progress, cancellation);
        var r = outcome.Report;
        var outputs = new Dictionary<string, string> { ["model"] = outcome.OutputDirectory };
        if (outcome.ModelArtifactId is { } model) outputs["model-artifact"] = model.ToString();
        var inv = CultureInfo.InvariantCulture;
        return new StepRecord
        {
            StartedAt = started, FinishedAt = DateTime.UtcNow, Outputs = outputs,
            Scores = new Dictionary<string, double>
            {
                ["perplexity_increase"] = r.Quality.PerplexityIncrease, ["top1_agreement"] = r.Quality.Top1Agreement,
                ["feed_forward_size_ratio"] = r.Size.Ratio, ["promoted"] = r.Promoted ? 1 : 0,
            },
            Summary =
            [
                string.Create(inv, $"{r.Quantized.Count} feed-forward projections in FP8, {r.Size.Ratio:0.00}x smaller; perplexity {r.Quality.ReferencePerplexity:0.00} -> {r.Quality.QuantizedPerplexity:0.00} ({r.Quality.PerplexityIncrease:+0.00%;-0.00%}), top-1 agreement {r.Quality.Top1Agreement:P1}"),
                r.Promoted ? "within the quality budget: promoted" : $"outside the quality budget, not promoted: {string.Join("; ", r.Quality.Violations)}",
            ],
        };
    }
}
