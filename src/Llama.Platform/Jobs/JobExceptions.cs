namespace Llama.Platform.Jobs;

/// <summary>
/// The worker no longer holds the job's lease: it lapsed and another worker took the job, or the job ended
/// (cancelled, failed) meanwhile. The worker must stop and write nothing more; the job is someone else's now.
/// </summary>
public sealed class LeaseLostException(Guid jobId, string workerId)
    : Exception($"job {jobId}: worker '{workerId}' no longer holds its lease (it lapsed and was taken over, or the job ended)")
{
    public Guid JobId { get; } = jobId;
    public string WorkerId { get; } = workerId;
}

/// <summary>A job's payload is not valid JSON; the message says which kind and where the JSON breaks.</summary>
public sealed class InvalidJobPayloadException(string kind, string reason, Exception? inner = null)
    : ArgumentException($"payload of job kind '{kind}' is not valid JSON: {reason}", inner);

/// <summary>No job with this id exists.</summary>
public sealed class JobNotFoundException(Guid jobId) : Exception($"job {jobId} does not exist")
{
    public Guid JobId { get; } = jobId;
}

/// <summary>
/// Thrown by a handler when running the job again cannot help (bad payload, missing input artifact): the worker
/// fails the job at once instead of re-queueing it.
/// </summary>
public sealed class PermanentJobFailureException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A submission chose an id that a job of another queue or kind already has.</summary>
public sealed class JobIdConflictException(Guid jobId, string queue, string kind)
    : Exception($"job id {jobId} is taken by a '{kind}' job of queue '{queue}'; choose another id")
{
    public Guid JobId { get; } = jobId;
}
