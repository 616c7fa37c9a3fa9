namespace Llama.Platform.Jobs;

/// <summary>How far a job is: <see cref="Fraction"/> in [0, 1] and an optional line for people ("epoch 2/3").</summary>
public readonly record struct JobProgress(double Fraction, string? Message = null);
