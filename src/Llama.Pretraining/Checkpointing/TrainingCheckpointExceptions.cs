using Llama.Core.Checkpoints;

namespace Llama.Pretraining.Checkpointing;

/// <summary>No complete checkpoint exists for the step asked for.</summary>
public sealed class TrainingCheckpointNotFoundException(string root, long step, IReadOnlyList<long> availableSteps)
    : CheckpointException(root, null, $"no complete checkpoint for step {step} (complete steps: {Describe(availableSteps)})")
{
    /// <summary>The step asked for.</summary>
    public long Step { get; } = step;

    /// <summary>The steps that do have a complete checkpoint, ascending.</summary>
    public IReadOnlyList<long> AvailableSteps { get; } = availableSteps;

    private static string Describe(IReadOnlyList<long> steps) => steps.Count == 0 ? "none" : string.Join(", ", steps);
}

/// <summary>
/// A checkpoint folder is not what its save wrote: the marker or a file is missing, a file's SHA-256 differs
/// from the one recorded in <c>COMPLETE</c>, or a file does not parse. <see cref="CheckpointException.FilePath"/>
/// names the file.
/// </summary>
public sealed class CorruptTrainingCheckpointException(string filePath, string problem, Exception? innerException = null)
    : CheckpointException(filePath, null, problem, innerException);
