using System.Text.Json;
using Llama.Platform.Metadata;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Jobs;

/// <summary>
/// The job queue in the metadata database, shared by any number of worker processes. A worker claims a job
/// with a lease, renews it by heartbeats, and ends it; a job whose lease lapses (its worker died) is claimed
/// again until its attempts run out. Every write that belongs to the lease holder is conditioned on
/// "this worker still holds the lease", so a worker that lost its lease can never overwrite the new owner's state.
/// </summary>
/// <remarks>
/// Lease times come from this process's clock (<paramref name="time"/>): hosts sharing a queue need clocks in
/// step (NTP) to well within a lease. <c>workerId</c> names one holder of one job at a time; a worker running
/// several jobs at once uses one id per slot (see <see cref="JobWorker"/>).
/// </remarks>
public sealed class JobQueue(MetadataStore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _sqliteWalSet;

    public MetadataStore Store { get; } = store;

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Adds a job in state Queued and returns its id. The current activity, if any, becomes the parent of the job's
    /// activity wherever it runs (<see cref="JobTracing"/>).
    /// </summary>
    /// <param name="id">
    /// The job's id, chosen by the caller to make the submission idempotent: when this queue already holds a job with
    /// it, nothing is added and that job stays as it is. A client that died or lost the answer submits again safely.
    /// </param>
    /// <exception cref="InvalidJobPayloadException">The payload is not valid JSON.</exception>
    /// <exception cref="JobIdConflictException"><paramref name="id"/> belongs to a job of another queue or kind.</exception>
    public async Task<Guid> EnqueueAsync(string queue, string kind, string payloadJson = "{}", int priority = 0, int maxAttempts = 3,
        Guid? runId = null, Guid? id = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        if (!IsJson(payloadJson, out var reason)) throw new InvalidJobPayloadException(kind, reason);
        var job = new Job
        {
            Queue = queue, Kind = kind, PayloadJson = payloadJson, Priority = priority, MaxAttempts = maxAttempts,
            RunId = runId, CreatedAt = Now, TraceParent = JobTracing.CurrentTraceParent(),
        };
        if (id is { } chosen) job.Id = chosen;
        await using var db = await OpenAsync(cancellation);
        if (id is not null && await ExistingAsync(db) is { } existing) return existing;
        db.Jobs.Add(job);
        try
        {
            await db.SaveChangesAsync(cancellation);
        }
        catch (DbUpdateException) when (id is not null)
        {
            // The same id submitted twice at once: the other insert won, and that job is this one.
            db.ChangeTracker.Clear();
            return await ExistingAsync(db) ?? throw new InvalidOperationException($"job {id} could not be added, nor found");
        }
        return job.Id;

        async Task<Guid?> ExistingAsync(MetadataDbContext context)
        {
            var found = await context.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellation);
            if (found is null) return null;
            return found.Queue == queue && found.Kind == kind ? found.Id : throw new JobIdConflictException(found.Id, found.Queue, found.Kind);
        }
    }

    /// <summary>
    /// Atomically takes one job of <paramref name="queue"/> for <paramref name="workerId"/>: a Queued one, or a
    /// Running one whose lease lapsed; highest priority first, then oldest. Returns null when there is none.
    /// Lapsed jobs that cannot run again end first: Failed when their attempts are used up, Cancelled when a
    /// cancel was requested.
    /// </summary>
    public async Task<Job?> TryClaimAsync(string queue, string workerId, TimeSpan leaseDuration,
        IReadOnlyCollection<string>? kinds = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        await using var db = await OpenAsync(cancellation);
        await EndLapsedJobsThatCannotRunAgainAsync(db, queue, Now, cancellation);
        // Read the clock only now, with the connection open: a lease timed from before a slow first connection
        // (EF model building, JIT) can be over before it is written, and another worker then takes the job too.
        var now = Now;

        var connection = db.Database.GetDbConnection();
        Guid? id;
        if (Store.Options.Provider == MetadataProvider.Sqlite)
        {
            // BEGIN IMMEDIATE takes SQLite's write lock before reading, so no other process can take the same row
            // between our SELECT and UPDATE; a plain (deferred) BEGIN would read first and could then fail to
            // upgrade (SQLITE_BUSY_SNAPSHOT under WAL) in a way no busy timeout retries.
            await ExecuteAsync(connection, "BEGIN IMMEDIATE", cancellation);
            try
            {
                id = await JobClaimStatement.ExecuteAsync(connection, MetadataProvider.Sqlite, queue, workerId, now, now + leaseDuration, kinds, cancellation);
                await ExecuteAsync(connection, "COMMIT", cancellation);
            }
            catch
            {
                await ExecuteAsync(connection, "ROLLBACK", CancellationToken.None);
                throw;
            }
        }
        else
        {
            // One statement is its own transaction; FOR UPDATE SKIP LOCKED inside it does the rest.
            id = await JobClaimStatement.ExecuteAsync(connection, MetadataProvider.Postgres, queue, workerId, now, now + leaseDuration, kinds, cancellation);
        }
        return id is null ? null : await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id, cancellation);
    }

    /// <summary>
    /// Renews the lease for <paramref name="leaseDuration"/> from now and stores progress when given. Returns
    /// whether cancellation was requested (the worker then stops and calls <see cref="ConfirmCancelAsync"/>).
    /// </summary>
    /// <exception cref="LeaseLostException">This worker no longer holds the lease: stop, write nothing more.</exception>
    public async Task<bool> HeartbeatAsync(Guid jobId, string workerId, TimeSpan leaseDuration, double? progress = null,
        string? message = null, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        var leaseExpiresAt = Now + leaseDuration; // from when the connection is open, as in TryClaimAsync
        int updated = await HeldBy(db, jobId, workerId).ExecuteUpdateAsync(s =>
        {
            s.SetProperty(j => j.LeaseExpiresAt, leaseExpiresAt);
            if (progress is { } fraction) s.SetProperty(j => j.Progress, Math.Clamp(fraction, 0, 1));
            if (message is not null) s.SetProperty(j => j.ProgressMessage, message);
        }, cancellation);
        if (updated == 0) throw new LeaseLostException(jobId, workerId);
        return await db.Jobs.Where(j => j.Id == jobId).Select(j => j.CancelRequested).SingleAsync(cancellation);
    }

    /// <summary>Ends the job as Succeeded with its result.</summary>
    /// <exception cref="LeaseLostException">This worker no longer holds the lease; nothing was written.</exception>
    public async Task CompleteAsync(Guid jobId, string workerId, string? resultJson = null, CancellationToken cancellation = default)
    {
        if (resultJson is not null && !IsJson(resultJson)) throw new ArgumentException($"result of job {jobId} is not valid JSON", nameof(resultJson));
        var now = Now;
        await using var db = await OpenAsync(cancellation);
        int updated = await HeldBy(db, jobId, workerId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, JobState.Succeeded)
            .SetProperty(j => j.ResultJson, resultJson)
            .SetProperty(j => j.Progress, 1.0)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.FinishedAt, now), cancellation);
        if (updated == 0) throw new LeaseLostException(jobId, workerId);
    }

    /// <summary>
    /// Records a failed attempt. With <paramref name="retry"/> and attempts left (and no cancel requested) the
    /// job goes back to Queued; otherwise it ends as Failed. Returns the state it is left in.
    /// </summary>
    /// <exception cref="LeaseLostException">This worker no longer holds the lease; nothing was written.</exception>
    public async Task<JobState> FailAsync(Guid jobId, string workerId, string error, bool retry, CancellationToken cancellation = default)
    {
        var now = Now;
        await using var db = await OpenAsync(cancellation);
        // Two conditional statements rather than one CASE: each is atomic and checks the lease, and nothing but
        // this lease holder can change Attempts in between.
        if (retry && await HeldBy(db, jobId, workerId).Where(j => j.Attempts < j.MaxAttempts && !j.CancelRequested)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.State, JobState.Queued)
                    .SetProperty(j => j.Error, error)
                    .SetProperty(j => j.LeaseOwner, (string?)null)
                    .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null), cancellation) == 1)
            return JobState.Queued;
        int updated = await HeldBy(db, jobId, workerId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, JobState.Failed)
            .SetProperty(j => j.Error, error)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.FinishedAt, now), cancellation);
        if (updated == 0) throw new LeaseLostException(jobId, workerId);
        return JobState.Failed;
    }

    /// <summary>
    /// Gives a job back unfinished (the worker is shutting down): Queued again, and the attempt does not count.
    /// </summary>
    /// <exception cref="LeaseLostException">This worker no longer holds the lease; nothing was written.</exception>
    public async Task ReleaseAsync(Guid jobId, string workerId, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        int updated = await HeldBy(db, jobId, workerId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, JobState.Queued)
            .SetProperty(j => j.Attempts, j => j.Attempts - 1)
            .SetProperty(j => j.LeaseOwner, (string?)null)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null), cancellation);
        if (updated == 0) throw new LeaseLostException(jobId, workerId);
    }

    /// <summary>
    /// Asks for a job to stop. A Queued job is Cancelled at once; a Running one gets CancelRequested, which its
    /// worker sees at the next heartbeat. Returns the job's state afterwards (a finished job is left as it is).
    /// </summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    public async Task<JobState> RequestCancelAsync(Guid jobId, CancellationToken cancellation = default)
    {
        var now = Now;
        await using var db = await OpenAsync(cancellation);
        if (await db.Jobs.Where(j => j.Id == jobId && j.State == JobState.Queued).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobState.Cancelled)
                .SetProperty(j => j.CancelRequested, true)
                .SetProperty(j => j.FinishedAt, now), cancellation) == 1)
            return JobState.Cancelled;
        await db.Jobs.Where(j => j.Id == jobId && j.State == JobState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true), cancellation);
        var state = await db.Jobs.Where(j => j.Id == jobId).Select(j => (JobState?)j.State).SingleOrDefaultAsync(cancellation);
        return state ?? throw new JobNotFoundException(jobId);
    }

    /// <summary>The worker acknowledges a requested cancellation: the job ends as Cancelled.</summary>
    /// <exception cref="LeaseLostException">This worker no longer holds the lease; nothing was written.</exception>
    public async Task ConfirmCancelAsync(Guid jobId, string workerId, CancellationToken cancellation = default)
    {
        var now = Now;
        await using var db = await OpenAsync(cancellation);
        int updated = await HeldBy(db, jobId, workerId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, JobState.Cancelled)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.FinishedAt, now), cancellation);
        if (updated == 0) throw new LeaseLostException(jobId, workerId);
    }

    /// <summary>The job, or null when there is none with this id.</summary>
    public async Task<Job?> GetAsync(Guid jobId, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        return await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellation);
    }

    /// <summary>Jobs, oldest first, optionally of one queue and/or state; at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<Job>> ListAsync(string? queue = null, JobState? state = null, int limit = 1000,
        CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        var jobs = db.Jobs.AsNoTracking();
        if (queue is not null) jobs = jobs.Where(j => j.Queue == queue);
        if (state is not null) jobs = jobs.Where(j => j.State == state);
        return await jobs.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).Take(limit).ToListAsync(cancellation);
    }

    private static IQueryable<Job> HeldBy(MetadataDbContext db, Guid jobId, string workerId) =>
        db.Jobs.Where(j => j.Id == jobId && j.LeaseOwner == workerId && j.State == JobState.Running);

    /// <summary>A lapsed lease on a job that must not run again ends it, so no claimer picks it up.</summary>
    private static async Task EndLapsedJobsThatCannotRunAgainAsync(MetadataDbContext db, string queue, DateTime now, CancellationToken cancellation)
    {
        var lapsed = db.Jobs.Where(j => j.Queue == queue && j.State == JobState.Running && j.LeaseExpiresAt < now);
        await lapsed.Where(j => j.CancelRequested).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, JobState.Cancelled)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.FinishedAt, now), cancellation);
        await lapsed.Where(j => !j.CancelRequested && j.Attempts >= j.MaxAttempts).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, JobState.Failed)
            .SetProperty(j => j.Error, j => "lease expired " + j.Attempts + " times (its worker was lost each time)")
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.FinishedAt, now), cancellation);
    }

    /// <summary>A context with its connection open; on SQLite, set up so concurrent processes wait rather than fail.</summary>
    private async Task<MetadataDbContext> OpenAsync(CancellationToken cancellation)
    {
        var db = Store.CreateContext();
        try
        {
            await db.Database.OpenConnectionAsync(cancellation);
            if (Store.Options.Provider == MetadataProvider.Sqlite)
            {
                var connection = db.Database.GetDbConnection();
                // Writers from other processes hold the file lock briefly; wait for it (SQLite's own busy handler)
                // instead of failing with "database is locked".
                await ExecuteAsync(connection, "PRAGMA busy_timeout = 10000", cancellation);
                if (Interlocked.Exchange(ref _sqliteWalSet, 1) == 0)
                {
                    // WAL lets readers run beside the one writer. It is persistent in the file; switching needs a
                    // moment with no other users, and only speed depends on it, so a busy file keeps its mode.
                    try { await ExecuteAsync(connection, "PRAGMA journal_mode = WAL", cancellation); }
                    catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) { }
                }
            }
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellation);
    }

    private static bool IsJson(string json) => IsJson(json, out _);

    private static bool IsJson(string json, out string reason)
    {
        try
        {
            using var _ = JsonDocument.Parse(json);
            reason = "";
            return true;
        }
        catch (JsonException e)
        {
            reason = e.Message;
            return false;
        }
    }
}
