using Llama.Platform.Metadata;

namespace Llama.Platform.Runs;

/// <summary>No run has the given id.</summary>
public sealed class RunNotFoundException(Guid id) : MetadataRecordNotFoundException($"run {id} does not exist")
{
    public Guid RunId { get; } = id;
}

/// <summary>A run was finished twice; the first outcome stands.</summary>
public sealed class RunAlreadyFinishedException(Guid id, RunStatus status)
    : InvalidOperationException($"run {id} already finished as {status}")
{
    public Guid RunId { get; } = id;
    public RunStatus Status { get; } = status;
}
