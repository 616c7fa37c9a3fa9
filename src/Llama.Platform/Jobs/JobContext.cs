using System.Text.Json;
using Llama.Platform.Metadata;

namespace Llama.Platform.Jobs;

/// <summary>
/// What a handler gets for one attempt at one job: its payload, a cancellation token that fires when the job is
/// cancelled, its lease is lost or the worker shuts down, and the one progress path (stored on the job).
/// </summary>
public sealed class JobContext
{
    private static readonly JsonSerializerOptions PayloadJsonOptions = new(JsonSerializerDefaults.Web);
    private readonly JobLease _lease;

    internal JobContext(Job job, JobLease lease)
    {
        JobId = job.Id;
        Queue = job.Queue;
        Kind = job.Kind;
        PayloadJson = job.PayloadJson;
        Attempt = job.Attempts;
        RunId = job.RunId;
        _lease = lease;
        Progress = new ProgressSavedAtHeartbeat(lease);
    }

    public Guid JobId { get; }
    public string Queue { get; }
    public string Kind { get; }
    public string PayloadJson { get; }
    /// <summary>Which attempt this is, from 1.</summary>
    public int Attempt { get; }
    public Guid? RunId { get; }
    /// <summary>The lease holder running this attempt.</summary>
    public string WorkerId => _lease.Owner;

    /// <summary>Fires on a cancel request (seen at a heartbeat), on a lost lease, or when the worker stops.</summary>
    public CancellationToken Cancellation => _lease.Token;

    /// <summary>For frequent updates (every step): keeps the newest, which the next heartbeat stores.</summary>
    public IProgress<JobProgress> Progress { get; }

    /// <summary>Stores progress now (one database write; it also renews the lease and checks for a cancel request).</summary>
    public async Task ReportProgressAsync(double fraction, string? message = null)
    {
        _lease.Record(new JobProgress(fraction, message));
        await _lease.HeartbeatOrLogAsync(Cancellation);
    }

    /// <summary>The payload as <typeparamref name="T"/> (web JSON conventions: camelCase, case-insensitive).</summary>
    /// <exception cref="PermanentJobFailureException">It does not bind to <typeparamref name="T"/>; running again cannot help.</exception>
    public T Payload<T>(JsonSerializerOptions? options = null)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(PayloadJson, options ?? PayloadJsonOptions)
                   ?? throw new PermanentJobFailureException($"job {JobId} ({Kind}): payload is null, expected {typeof(T).Name}");
        }
        catch (JsonException e)
        {
            throw new PermanentJobFailureException($"job {JobId} ({Kind}): payload does not match {typeof(T).Name}: {e.Message}", e);
        }
    }

    private sealed class ProgressSavedAtHeartbeat(JobLease lease) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => lease.Record(value);
    }
}
