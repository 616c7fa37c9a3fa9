namespace Llama.Platform.Jobs;

/// <summary>
/// Runs jobs of one kind. A handler does the work by calling the stage's library, honours
/// <see cref="JobContext.Cancellation"/>, reports progress, and returns the result as JSON (or null).
/// Throwing fails the attempt (retried while attempts remain); <see cref="PermanentJobFailureException"/>
/// fails the job at once.
/// </summary>
public interface IJobHandler
{
    Task<string?> RunAsync(JobContext context);
}
