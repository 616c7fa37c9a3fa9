using System.Diagnostics;
using Llama.Platform.Metadata;

namespace Llama.Platform.Jobs;

/// <summary>
/// One trace per piece of work across services: a job remembers the W3C <c>traceparent</c> of whatever submitted it,
/// and the worker that claims it, in any process, runs the handler inside an activity whose parent is that one.
/// A pipeline job's step submissions are HTTP calls made inside its activity (HttpClient sends <c>traceparent</c>),
/// the stage service's request activity is what the stage job remembers, so the whole pipeline is one trace.
/// </summary>
public static class JobTracing
{
    /// <summary>The activity source of job attempts; the service defaults export every <c>Llama.*</c> source.</summary>
    public const string SourceName = "Llama.Platform.Jobs";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current activity as a <c>traceparent</c> (W3C ids only; a hierarchical id means no trace to join).</summary>
    internal static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The trace id (32 hex digits) of the job's submitter, or null when it was submitted outside a trace.</summary>
    public static string? TraceIdOf(Job job) =>
        ActivityContext.TryParse(job.TraceParent, null, out var context) ? context.TraceId.ToHexString() : null;

    /// <summary>
    /// Starts the activity of one attempt at <paramref name="job"/>, a child of the submitter's when the job has
    /// one; null when nobody listens to <see cref="SourceName"/> (no tracing configured).
    /// </summary>
    internal static Activity? StartAttempt(Job job, string worker)
    {
        // An unreadable traceparent (a row written by hand) only costs the link to the submitter, not the job.
        ActivityContext.TryParse(job.TraceParent, null, isRemote: true, out var parent);
        var activity = Source.StartActivity($"job {job.Kind}", ActivityKind.Consumer, parent);
        activity?.SetTag("llama.job.id", job.Id.ToString())
            .SetTag("llama.job.kind", job.Kind)
            .SetTag("llama.job.queue", job.Queue)
            .SetTag("llama.job.attempt", job.Attempts)
            .SetTag("llama.job.worker", worker);
        return activity;
    }

    /// <summary>Marks the attempt's activity with how it ended.</summary>
    internal static void RecordOutcome(Activity? activity, Exception? failure)
    {
        if (activity is null) return;
        if (failure is null)
        {
            activity.SetStatus(ActivityStatusCode.Ok);
            return;
        }
        activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        activity.AddException(failure);
    }
}
