namespace Llama.Core.Training;

/// <summary>
/// A named set of tensors (optimizer state, checkpoints to average) that does not match the one expected:
/// a missing or unexpected name, or a shape or dtype that differs. The message names the tensor.
/// </summary>
public sealed class TensorSetMismatchException(string message) : Exception(message);
