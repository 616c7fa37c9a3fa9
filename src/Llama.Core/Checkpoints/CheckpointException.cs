namespace Llama.Core.Checkpoints;

/// <summary>
/// A checkpoint could not be read or written as asked. The message starts with the file and, where one is
/// concerned, the tensor: <c>/ckpt/model.safetensors: tensor 'lm_head.weight': ...</c>.
/// </summary>
public class CheckpointException : Exception
{
    /// <summary>Creates the exception; <paramref name="problem"/> is the part of the message after file and tensor.</summary>
    public CheckpointException(string filePath, string? tensorName, string problem, Exception? innerException = null)
        : base(Compose(filePath, tensorName, problem), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file (or directory) concerned.</summary>
    public string FilePath { get; }

    /// <summary>The tensor concerned, or null when the problem is not about one tensor.</summary>
    public string? TensorName { get; }

    private static string Compose(string filePath, string? tensorName, string problem) =>
        tensorName is null ? $"{filePath}: {problem}" : $"{filePath}: tensor '{tensorName}': {problem}";
}

/// <summary>A safetensors file is malformed: truncated, bad header JSON, unknown dtype, inconsistent offsets or shape.</summary>
public sealed class SafetensorsFormatException(string filePath, string? tensorName, string problem, Exception? innerException = null)
    : CheckpointException(filePath, tensorName, problem, innerException);

/// <summary>A tensor asked for is not in the checkpoint.</summary>
public sealed class TensorNotFoundException(string filePath, string tensorName)
    : CheckpointException(filePath, tensorName, "no such tensor in this checkpoint");

/// <summary>A stored tensor's shape differs from the tensor it should be copied into.</summary>
public sealed class TensorShapeMismatchException(string filePath, string tensorName, long[] storedShape, long[] destinationShape)
    : CheckpointException(filePath, tensorName,
        $"shape in the file is {TensorInfo.FormatShape(storedShape)} but the destination has shape {TensorInfo.FormatShape(destinationShape)}")
{
    /// <summary>Shape in the checkpoint.</summary>
    public long[] StoredShape { get; } = storedShape;

    /// <summary>Shape of the destination tensor.</summary>
    public long[] DestinationShape { get; } = destinationShape;
}

/// <summary>A Hugging Face checkpoint directory is inconsistent: no weights, bad index, or a shard the index names is missing or lacks a tensor.</summary>
public sealed class CheckpointIndexException(string filePath, string? tensorName, string problem, Exception? innerException = null)
    : CheckpointException(filePath, tensorName, problem, innerException);
