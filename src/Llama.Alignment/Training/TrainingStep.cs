namespace Llama.Alignment.Training;

/// <summary>Progress of one optimiser step of an alignment stage.</summary>
public sealed record TrainingStep(string Stage, int Step, int TotalSteps, double Loss, double LearningRate, double GradientNorm,
    IReadOnlyDictionary<string, double>? Extra = null);
