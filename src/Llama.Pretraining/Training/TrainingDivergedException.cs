namespace Llama.Pretraining.Training;

/// <summary>The loss or the gradient norm stopped being a finite number: training stops, the last good checkpoint stays.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
