using Microsoft.Extensions.Logging;

namespace Llama.Platform.Jobs;

/// <summary>
/// The lease a worker holds on one running job: renews it by heartbeats, carries progress to the database, and
/// fires <see cref="Token"/> when the job must stop (cancel requested, lease lost, or the worker shutting down).
/// </summary>
internal sealed class JobLease : IDisposable
{
    private readonly JobQueue _queue;
    private readonly TimeSpan _duration;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop;
    private readonly SemaphoreSlim _oneHeartbeatAtATime = new(1, 1);
    private readonly Lock _progressLock = new();
    private JobProgress? _unsavedProgress;
    private int _lost;
    private int _cancelRequested;

    public JobLease(JobQueue queue, Guid jobId, string owner, TimeSpan duration, ILogger logger, CancellationToken workerStopping)
    {
        _queue = queue;
        JobId = jobId;
        Owner = owner;
        _duration = duration;
        _logger = logger;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(workerStopping);
    }

    public Guid JobId { get; }
    public string Owner { get; }
    public CancellationToken Token => _stop.Token;
    public bool Lost => Volatile.Read(ref _lost) == 1;
    public bool CancelRequested => Volatile.Read(ref _cancelRequested) == 1;

    /// <summary>Keeps the newest progress; the next heartbeat writes it.</summary>
    public void Record(JobProgress progress)
    {
        lock (_progressLock) _unsavedProgress = progress;
    }

    /// <summary>Renews the lease now, writing unsaved progress; learns of cancel requests and a lost lease.</summary>
    private async Task HeartbeatAsync(CancellationToken cancellation)
    {
        if (Lost) return;
        await _oneHeartbeatAtATime.WaitAsync(cancellation);
        JobProgress? progress;
        lock (_progressLock) (progress, _unsavedProgress) = (_unsavedProgress, null);
        try
        {
            if (await _queue.HeartbeatAsync(JobId, Owner, _duration, progress?.Fraction, progress?.Message, cancellation)
                && Interlocked.Exchange(ref _cancelRequested, 1) == 0)
            {
                _logger.LogInformation("Job {JobId}: cancellation requested; stopping it", JobId);
                await _stop.CancelAsync();
            }
        }
        catch (LeaseLostException)
        {
            if (Interlocked.Exchange(ref _lost, 1) == 0)
            {
                _logger.LogWarning("Job {JobId}: worker {Owner} lost its lease; stopping without writing more", JobId, Owner);
                await _stop.CancelAsync();
            }
        }
        catch
        {
            // Not written: put it back unless newer progress arrived meanwhile.
            lock (_progressLock) _unsavedProgress ??= progress;
            throw;
        }
        finally
        {
            _oneHeartbeatAtATime.Release();
        }
    }

    /// <summary>Heartbeats every <paramref name="interval"/> until <paramref name="done"/> fires or the lease is lost.</summary>
    public async Task KeepAliveAsync(TimeSpan interval, CancellationToken done)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (!Lost && await timer.WaitForNextTickAsync(done))
                await HeartbeatOrLogAsync(done);
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// A heartbeat whose database error is logged, not thrown: a hiccup must not fail a long job. The progress
    /// stays unsaved for the next one; if the lease lapses meanwhile, the next heartbeat says so.
    /// </summary>
    public async Task HeartbeatOrLogAsync(CancellationToken cancellation)
    {
        try
        {
            await HeartbeatAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Job {JobId}: heartbeat failed; retrying at the next one", JobId);
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _oneHeartbeatAtATime.Dispose();
    }
}
