using System.Globalization;
using System.Text;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;

namespace Llama.Evaluation.Reports;

/// <summary>One evaluated model (a checkpoint or a stage's model) as a column of the comparison.</summary>
public sealed record ComparedModel(Guid ArtifactId, string Label, IReadOnlyList<EvalResult> Results);

/// <summary>
/// Compares stored <see cref="EvalResult"/>s across models (checkpoints of a run, models of different stages):
/// report.md (one table row per task and metric, one column per model, value ± standard error) and report.png
/// (the headline accuracy of each task as grouped bars with ±1 standard error).
/// </summary>
public static class EvalComparison
{
    /// <summary>The metric charted for a task: accuracy-like, between 0 and 1.</summary>
    private static readonly string[] Headline = ["acc", "numeric_match", "execution_match", "exact_match"];

    public static async Task<IReadOnlyList<ComparedModel>> LoadAsync(ArtifactRegistry registry, IReadOnlyList<string> models, CancellationToken cancellation = default)
    {
        var compared = new List<ComparedModel>();
        foreach (var model in models)
        {
            var artifact = await registry.ResolveAsync(model, cancellation);
            // The latest value of each (task, metric): a re-run replaces an earlier one in the report.
            var results = (await registry.EvalResultsAsync(artifact.Id, cancellation))
                .GroupBy(r => (r.Task, r.MetricName)).Select(g => g.MaxBy(r => r.CreatedAt)!).ToList();
            compared.Add(new ComparedModel(artifact.Id, $"{artifact.Name} ({artifact.Kind} {artifact.Id.ToString()[..8]})", results));
        }
        return compared;
    }

    public static (string Markdown, string Png) Write(string folder, IReadOnlyList<ComparedModel> models)
    {
        Directory.CreateDirectory(folder);
        string png = Path.Combine(folder, "report.png");
        string md = Path.Combine(folder, "report.md");
        WriteChart(png, models);
        File.WriteAllText(md, ToMarkdown(models));
        return (md, png);
    }

    public static string ToMarkdown(IReadOnlyList<ComparedModel> models)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("# Evaluation report").AppendLine();
        text.AppendLine("Values ± bootstrap standard error; n = items scored. Formatting (raw or chat template), few-shot count and seed are stored with each result.").AppendLine();
        for (int i = 0; i < models.Count; i++) text.AppendLine(inv, $"- **M{i + 1}**: {models[i].Label}");
        text.AppendLine().AppendLine("![evaluation](report.png)").AppendLine();
        text.Append("| task | metric |").AppendJoin("", models.Select((_, i) => $" M{i + 1} |")).AppendLine();
        text.Append("|---|---|").AppendJoin("", models.Select(_ => "---:|")).AppendLine();
        var rows = models.SelectMany(m => m.Results).Select(r => (r.Task, r.MetricName)).Distinct()
            .OrderBy(r => r.Task, StringComparer.Ordinal).ThenBy(r => r.MetricName, StringComparer.Ordinal);
        foreach (var (task, metric) in rows)
        {
            text.Append(inv, $"| {task} | {metric} |");
            foreach (var model in models)
            {
                var r = model.Results.FirstOrDefault(x => x.Task == task && x.MetricName == metric);
                text.Append(r is null ? " – |" : $" {Number(r.Value)}{(r.StandardError is { } se ? $" ± {Number(se)}" : "")} (n={r.Samples}) |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>Three decimals, or scientific notation for the huge word perplexities of unsegmented scripts.</summary>
    private static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 1e6 ? "0.00e0" : "0.000", CultureInfo.InvariantCulture);

    private static void WriteChart(string path, IReadOnlyList<ComparedModel> models)
    {
        var tasks = models.SelectMany(m => m.Results).Where(r => Headline.Contains(r.MetricName)).Select(r => r.Task)
            .Distinct().Order(StringComparer.Ordinal).ToList();
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<ScottPlot.Bar>();
        double width = 0.8 / Math.Max(1, models.Count);
        for (int m = 0; m < models.Count; m++)
        {
            for (int t = 0; t < tasks.Count; t++)
            {
                var r = Headline.Select(h => models[m].Results.FirstOrDefault(x => x.Task == tasks[t] && x.MetricName == h)).FirstOrDefault(x => x is not null);
                if (r is null) continue;
                bars.Add(new ScottPlot.Bar
                {
                    Position = t + (m - (models.Count - 1) / 2.0) * width, Value = r.Value, Error = r.StandardError ?? 0,
                    Size = width * 0.9, FillColor = palette.GetColor(m),
                });
            }
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = $"M{m + 1}: {models[m].Label}", FillColor = palette.GetColor(m) });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, tasks.Count).Select(i => (double)i).ToArray(), tasks.ToArray());
        plot.Axes.SetLimitsY(0, 1);
        plot.Title("Evaluation: headline accuracy per task (±1 s.e.)");
        plot.YLabel("accuracy");
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperLeft;
        var chance = plot.Add.HorizontalLine(0.25);
        chance.LinePattern = ScottPlot.LinePattern.Dashed;
        chance.LegendText = "chance (4 choices)";
        plot.SavePng(path, 1000, 560);
    }
}
