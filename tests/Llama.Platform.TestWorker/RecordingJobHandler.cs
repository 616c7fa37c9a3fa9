using Llama.Platform.Jobs;

namespace Llama.Platform.TestWorker;

/// <summary>
/// Handles <c>test.record</c>: appends "&lt;jobId&gt; &lt;workerId&gt;" to this worker's own log file as the
/// attempt starts (so a job run twice shows twice, even when the first run is killed), then sleeps for the
/// payload's duration while the worker's heartbeats keep the lease.
/// </summary>
internal sealed class RecordingJobHandler(string logPath) : IJobHandler
{
    public const string Kind = "test.record";

    /// <summary><paramref name="FirstAttemptSleepMs"/>, when given, replaces <paramref name="SleepMs"/> on attempt 1 (a job to kill mid-run).</summary>
    private sealed record Payload(int SleepMs, int? FirstAttemptSleepMs);

    public async Task<string?> RunAsync(JobContext context)
    {
        var payload = context.Payload<Payload>();
        // One file per worker process: appends from two processes to one file could interleave.
        await File.AppendAllTextAsync(logPath, $"{context.JobId} {context.WorkerId}\n");
        int sleepMs = context.Attempt == 1 && payload.FirstAttemptSleepMs is { } first ? first : payload.SleepMs;
        await Task.Delay(sleepMs, context.Cancellation);
        return $$"""{"worker":"{{context.WorkerId}}"}""";
    }
}
