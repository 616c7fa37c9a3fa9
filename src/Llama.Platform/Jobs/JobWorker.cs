using Llama.Platform.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llama.Platform.Jobs;

/// <summary>
/// The worker loop every stage service reuses: claims jobs from one queue, runs each with the handler for its
/// kind while heartbeats keep the lease, and records how it ended. Host it as a <see cref="BackgroundService"/>
/// or call <see cref="RunAsync"/> / <see cref="RunNextAsync"/> directly (the embedded pipeline, tests).
/// </summary>
public sealed class JobWorker : BackgroundService
{
    private const int ErrorTextLimit = 8000;
    private readonly JobQueue _queue;
    private readonly JobHandlerRegistry _handlers;
    private readonly ILogger _logger;

    public JobWorker(JobQueue queue, JobHandlerRegistry handlers, JobWorkerOptions options, ILogger<JobWorker>? logger = null)
    {
        options.Validate();
        _queue = queue;
        _handlers = handlers;
        Options = options;
        _logger = logger ?? NullLogger<JobWorker>.Instance;
    }

    public JobWorkerOptions Options { get; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunAsync(stoppingToken);

    /// <summary>
    /// Runs until <paramref name="stop"/> fires: <see cref="JobWorkerOptions.MaxConcurrency"/> loops that each claim
    /// and run one job at a time. On stop, running jobs are cancelled and given back to the queue.
    /// </summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, Options.MaxConcurrency).Select(slot => RunSlotAsync(LeaseOwner(slot), stop)));

    /// <summary>Claims one job and runs it to its end; false when the queue had none. Not for use beside <see cref="RunAsync"/>.</summary>
    public Task<bool> RunNextAsync(CancellationToken stop = default) => RunNextAsync(LeaseOwner(0), stop);

    // Each slot holds leases under its own name: were two slots to share one, a slot could take over its
    // sibling's lapsed job and the sibling's heartbeats would still pass as the owner's.
    private string LeaseOwner(int slot) => Options.MaxConcurrency == 1 ? Options.WorkerId : $"{Options.WorkerId}/{slot}";

    private async Task RunSlotAsync(string owner, CancellationToken stop)
    {
        var shortestWait = Options.PollInterval / 8;
        var wait = shortestWait;
        while (!stop.IsCancellationRequested)
        {
            bool ran;
            try
            {
                ran = await RunNextAsync(owner, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                _logger.LogError(e, "Worker {Owner}: cannot take work from queue '{Queue}' ({Database}); trying again", owner, Options.Queue, _queue.Store.Describe());
                ran = false;
                wait = Options.PollInterval;
            }
            if (ran)
            {
                wait = shortestWait;
                continue;
            }
            try
            {
                // Jitter keeps many idle workers from polling in lockstep.
                await Task.Delay(wait * (0.75 + Random.Shared.NextDouble() / 2), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, Options.PollInterval.Ticks));
        }
    }

    private async Task<bool> RunNextAsync(string owner, CancellationToken stop)
    {
        stop.ThrowIfCancellationRequested();
        // Not cancellable once sent: a claim that commits but is abandoned would hold the job until its lease lapses.
        var job = await _queue.TryClaimAsync(Options.Queue, owner, Options.LeaseDuration, cancellation: CancellationToken.None);
        if (job is null) return false;
        await RunClaimedAsync(job, owner, stop);
        return true;
    }

    private async Task RunClaimedAsync(Job job, string owner, CancellationToken stop)
    {
        _logger.LogInformation("Job {JobId} ({Kind}) attempt {Attempt}/{MaxAttempts} started by {Owner}", job.Id, job.Kind, job.Attempts, job.MaxAttempts, owner);
        using var lease = new JobLease(_queue, job.Id, owner, Options.LeaseDuration, _logger, stop);
        using var handlerEnded = new CancellationTokenSource();
        var heartbeats = lease.KeepAliveAsync(Options.EffectiveHeartbeatInterval, handlerEnded.Token);

        // Started before the handler's Task.Run so that the handler's own calls (HTTP submits to other services) are
        // its children; ended before the outcome is written, which is bookkeeping rather than the job's work.
        var activity = JobTracing.StartAttempt(job, owner);
        string? result = null;
        Exception? failure = null;
        if (!_handlers.TryGet(job.Kind, out var handler))
            failure = new PermanentJobFailureException(
                $"no handler for job kind '{job.Kind}' on queue '{job.Queue}' (worker {owner} handles: {string.Join(", ", _handlers.Kinds.Order())})");
        else
        {
            try
            {
                // Off this thread, so a handler that computes before its first await cannot delay the loop.
                result = await Task.Run(() => handler.RunAsync(new JobContext(job, lease)), CancellationToken.None);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }
        JobTracing.RecordOutcome(activity, failure);
        activity?.Dispose();
        await handlerEnded.CancelAsync();
        await heartbeats;
        await RecordOutcomeAsync(job, lease, result, failure, stop.IsCancellationRequested);
    }

    private async Task RecordOutcomeAsync(Job job, JobLease lease, string? result, Exception? failure, bool stopping)
    {
        // Outcomes are written even while stopping: a finished job left Running would run again after its lease.
        var none = CancellationToken.None;
        try
        {
            if (lease.Lost)
                _logger.LogWarning("Job {JobId}: lease lost during the attempt; its new owner decides how it ends", job.Id);
            else if (failure is null)
            {
                await _queue.CompleteAsync(job.Id, lease.Owner, result, none);
                _logger.LogInformation("Job {JobId} ({Kind}) succeeded", job.Id, job.Kind);
            }
            else if (lease.CancelRequested)
            {
                await _queue.ConfirmCancelAsync(job.Id, lease.Owner, none);
                _logger.LogInformation("Job {JobId} ({Kind}) cancelled", job.Id, job.Kind);
            }
            else if (stopping && failure is OperationCanceledException)
            {
                await _queue.ReleaseAsync(job.Id, lease.Owner, none);
                _logger.LogInformation("Job {JobId} ({Kind}) given back to the queue: worker stopping", job.Id, job.Kind);
            }
            else
            {
                bool permanent = failure is PermanentJobFailureException;
                var state = await _queue.FailAsync(job.Id, lease.Owner, Describe(failure), retry: !permanent, none);
                _logger.LogWarning(failure, "Job {JobId} ({Kind}) attempt {Attempt} failed; now {State}", job.Id, job.Kind, job.Attempts, state);
            }
        }
        catch (LeaseLostException)
        {
            _logger.LogWarning("Job {JobId}: lease lost before the outcome was written; its new owner decides how it ends", job.Id);
        }
    }

    private static string Describe(Exception failure)
    {
        var text = failure is PermanentJobFailureException ? failure.Message : failure.ToString();
        return text.Length <= ErrorTextLimit ? text : text[..ErrorTextLimit];
    }
}
