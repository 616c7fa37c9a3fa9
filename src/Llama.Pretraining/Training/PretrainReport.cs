using System.Globalization;
using System.Text;
using System.Text.Json;
using Llama.Core.Config;

namespace Llama.Pretraining.Training;

/// <summary>The run report: loss curves (report.json, report.md and loss.png), the unigram baseline, the final validation loss.</summary>
public sealed record PretrainReport(
    string Model, long Parameters, long Steps, long TokensSeen, double UnigramBaseline, double FinalValidationLoss, double PeakFlops,
    IReadOnlyList<long> AveragedCheckpoints, IReadOnlyList<LossPoint> TrainLoss, IReadOnlyList<LossPoint> ValidationLoss)
{
    /// <summary>What the final model writes after the openings of held-out documents (see <see cref="TextSamples"/>).</summary>
    public IReadOnlyList<TextSample> Samples { get; init; } = [];

    /// <summary>Share of the samples' words that occur in the training text (NaN when there are no samples).</summary>
    public double KnownWordRate { get; init; } = double.NaN;

    public static PretrainReport Write(string output, PretrainConfig config, LlamaConfig model, TrainerState state, double unigram,
        double finalValidation, double peakFlops, IReadOnlyList<TextSample> samples, double knownWordRate)
    {
        var report = new PretrainReport(config.Model, ModelSize.Of(model).Total, state.Step, state.TokensSeen, unigram, finalValidation, peakFlops,
            state.AnnealCheckpointSteps, state.TrainLoss, state.ValidationLoss) { Samples = samples, KnownWordRate = knownWordRate };
        var json = new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        File.WriteAllText(Path.Combine(output, "report.json"), JsonSerializer.Serialize(report, json));
        LossChart.Write(Path.Combine(output, "loss.png"), report);
        File.WriteAllText(Path.Combine(output, "report.md"), report.ToMarkdown());
        return report;
    }

    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"# Pretraining report: {Model}").AppendLine();
        md.AppendLine(inv, $"{Parameters:N0} parameters, {Steps:N0} steps, {TokensSeen:N0} tokens. Matmul peak measured at start: {PeakFlops / 1e9:0.0} GFLOP/s.").AppendLine();
        md.AppendLine(inv, $"- final validation loss (averaged model): **{FinalValidationLoss:0.000}** nats/token (perplexity {Math.Exp(FinalValidationLoss):0.0})");
        md.AppendLine(inv, $"- unigram baseline on the same validation tokens: {UnigramBaseline:0.000} nats/token (perplexity {Math.Exp(UnigramBaseline):0.0})");
        md.AppendLine(inv, $"- final model: the average of the checkpoints at steps {string.Join(", ", AveragedCheckpoints)} (annealing)").AppendLine();
        md.AppendLine("![loss](loss.png)").AppendLine();
        md.AppendLine("| step | validation loss |").AppendLine("|---:|---:|");
        foreach (var p in ValidationLoss) md.AppendLine(inv, $"| {p.Step} | {p.Loss:0.000} |");
        if (Samples.Count > 0)
        {
            md.AppendLine().AppendLine("## What the final model writes").AppendLine();
            md.AppendLine(inv, $"Seeded samples (temperature 0.7, top-p 0.9) after the opening of held-out documents; **{KnownWordRate:P0}** of the words written occur in the training text.").AppendLine();
            foreach (var sample in Samples)
                md.AppendLine(inv, $"- `{sample.Document}`: **{Inline(sample.Prompt)}** {Inline(sample.Continuation)}");
        }
        return md.ToString();

        // One list item per sample: line breaks and markdown emphasis characters would break it.
        static string Inline(string text) => text.ReplaceLineEndings(" ⏎ ").Replace("*", "\\*").Replace("`", "'").Trim();
    }
}

/// <summary>loss.png: training loss (per step, and its moving average) and validation loss against steps (ScottPlot).</summary>
internal static class LossChart
{
    public static void Write(string path, PretrainReport report)
    {
        var plot = new ScottPlot.Plot();
        if (report.TrainLoss.Count > 0)
        {
            var train = plot.Add.Scatter(report.TrainLoss.Select(p => (double)p.Step).ToArray(), report.TrainLoss.Select(p => p.Loss).ToArray());
            train.LegendText = "training loss";
            train.MarkerSize = 0;
        }
        if (report.ValidationLoss.Count > 0)
        {
            var validation = plot.Add.Scatter(report.ValidationLoss.Select(p => (double)p.Step).ToArray(), report.ValidationLoss.Select(p => p.Loss).ToArray());
            validation.LegendText = "validation loss";
        }
        var baseline = plot.Add.HorizontalLine(report.UnigramBaseline);
        baseline.LegendText = "unigram baseline";
        baseline.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Title($"{report.Model}: loss (nats/token)");
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 900, 540);
    }
}
