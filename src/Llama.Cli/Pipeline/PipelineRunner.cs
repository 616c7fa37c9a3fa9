using System.Globalization;
using System.Text;
using Llama.Cli.Pipeline.Steps;

namespace Llama.Cli.Pipeline;

/// <summary>The result: the state with every step's outputs, and the report's path.</summary>
public sealed record PipelineOutcome(PipelineState State, string ReportPath, IReadOnlyList<string> SkippedSteps);

/// <summary>
/// <c>llama pipeline</c>: the lifecycle in one process, each step calling its stage's library the way the stage's
/// verb does, every run and artifact recorded on the platform with lineage. Finished steps are skipped when the
/// pipeline is started again in the same folder (see <see cref="PipelineState"/>).
/// </summary>
public static class PipelineRunner
{
    /// <summary>The steps in order. Each reads the outputs of the steps before it from the state.</summary>
    internal static IReadOnlyList<PipelineStep> Steps { get; } =
    [
        new CurateStep(), new PretrainStep(), new AlignStep(), new QuantizeStep(),
        new EvaluateStep("5-evaluate-base", "2-pretrain", "pretrained"),
        new EvaluateStep("6-evaluate-aligned", AlignStep.StepName, "aligned"),
        new EvaluateStep("7-evaluate-fp8", "4-quantize", "FP8"),
    ];

    /// <summary>Runs the unfinished steps in this process, each through its stage's library.</summary>
    public static Task<PipelineOutcome> RunAsync(PipelineContext context, Action<PipelineStep, int>? stepStarted, CancellationToken cancellation) =>
        RunAsync(context, stepStarted, step => step.RunAsync(context, cancellation));

    /// <summary>Runs the unfinished steps with <paramref name="run"/> (in process, or as jobs of the stage services).</summary>
    public static async Task<PipelineOutcome> RunAsync(PipelineContext context, Action<PipelineStep, int>? stepStarted, Func<PipelineStep, Task<StepRecord>> run)
    {
        Directory.CreateDirectory(context.Folder);
        var skipped = new List<string>();
        for (int i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            if (context.State.IsDone(step.Name))
            {
                skipped.Add(step.Name);
                continue;
            }
            stepStarted?.Invoke(step, i);
            context.State.Finish(step.Name, await run(step));
        }
        string report = Path.Combine(context.Folder, "report.md");
        File.WriteAllText(report, Report(context));
        return new PipelineOutcome(context.State, report, skipped);
    }

    /// <summary>The command that serves the pipeline's final model (the FP8 one, when its quality check promoted it, else the aligned one).</summary>
    public static string ServeCommand(PipelineState state)
    {
        bool promoted = state.Steps.TryGetValue("4-quantize", out var fp8) && fp8.Scores.GetValueOrDefault("promoted", 1) > 0;
        string model = (promoted ? state.OptionalOutput("4-quantize", "model") : null)
            ?? state.OptionalOutput(AlignStep.StepName, "model") ?? state.Output("2-pretrain", "model");
        return $"llama serve --model {model} --port 8000";
    }

    private static string Report(PipelineContext context)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"# Pipeline report: {context.Preset.Name}").AppendLine();
        md.AppendLine(inv, $"Folder `{context.Folder}`; platform: {(context.Platform is null ? "not recorded" : context.Platform.Home)}.").AppendLine();
        foreach (var step in Steps)
        {
            var record = context.State.Steps[step.Name];
            md.AppendLine(inv, $"## {step.Name}: {step.Title} ({record.Seconds:0} s)").AppendLine();
            foreach (var line in record.Summary) md.AppendLine(inv, $"- {line}");
            foreach (var (name, value) in record.Outputs) md.AppendLine(inv, $"- {name}: `{value}`");
            if (record.Scores.Count > 0)
                md.AppendLine(inv, $"- scores: {string.Join(", ", record.Scores.Select(s => string.Create(inv, $"{s.Key} {s.Value:0.####}")))}");
            md.AppendLine();
        }
        md.AppendLine("## Next").AppendLine().AppendLine(inv, $"    {ServeCommand(context.State)}");
        return md.ToString();
    }
}
