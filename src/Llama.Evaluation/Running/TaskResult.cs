namespace Llama.Evaluation.Running;

/// <summary>One metric's value with its bootstrap standard error (null with fewer than two items).</summary>
public sealed record MetricResult(string Metric, double Value, double? StandardError);

/// <summary>
/// A task's (or one group's, e.g. <c>perplexity-languages:fr</c>) results: its metrics, how many items were scored
/// of how many the task has, the prompt format, and notes (a clamped limit, skipped items, the sandbox used).
/// </summary>
public sealed record TaskResult(string Task, IReadOnlyList<MetricResult> Metrics, int Samples, int Available, PromptFormat Format, IReadOnlyList<string> Notes);

/// <summary>Where a run stands: task, items done of total.</summary>
public readonly record struct EvaluationProgress(string Task, int Done, int Total);
