namespace Llama.Platform.Runs;

/// <summary>One value of one metric of a run.</summary>
public sealed record MetricPoint(long Step, double Value, DateTime Time);
