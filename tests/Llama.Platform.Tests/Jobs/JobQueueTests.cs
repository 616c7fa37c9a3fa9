using Llama.Platform.Jobs;
using Llama.Platform.Metadata;
using Llama.Platform.Tests.Infrastructure;

namespace Llama.Platform.Tests.Jobs;

/// <summary>The queue's rules, on each provider (subclasses below). Leases lapse by moving a manual clock.</summary>
public abstract class JobQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly ManualClock _clock = new();
    private MetadataStore? _store;
    private JobQueue Queue => new(_store!, _clock);

    protected abstract Task<MetadataStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync()
    {
        if (_store is not null) JobTestDatabase.Delete(_store);
        return Task.CompletedTask;
    }

    private async Task<Guid> EnqueueAsync(int priority = 0, int maxAttempts = 3, string kind = "k", string queue = "q")
    {
        var id = await Queue.EnqueueAsync(queue, kind, """{"n":1}""", priority, maxAttempts);
        _clock.Advance(TimeSpan.FromSeconds(1)); // distinct CreatedAt, so "oldest" is well defined
        return id;
    }

    [Fact]
    public async Task Enqueueing_again_under_a_chosen_id_adds_no_second_job_and_leaves_the_first_as_it_is()
    {
        var chosen = Guid.NewGuid();
        Assert.Equal(chosen, await Queue.EnqueueAsync("q", "k", """{"n":1}""", id: chosen));
        await Queue.TryClaimAsync("q", "w", Lease);

        Assert.Equal(chosen, await Queue.EnqueueAsync("q", "k", """{"n":1}""", id: chosen));

        var job = Assert.Single(await Queue.ListAsync("q"));
        Assert.Equal((chosen, JobState.Running, 1), (job.Id, job.State, job.Attempts));
    }

    [Fact]
    public async Task A_chosen_id_taken_by_another_queue_is_a_conflict()
    {
        var chosen = await Queue.EnqueueAsync("q", "k", id: Guid.NewGuid());

        var conflict = await Assert.ThrowsAsync<JobIdConflictException>(() => Queue.EnqueueAsync("other", "k", id: chosen));
        Assert.Contains("queue 'q'", conflict.Message);
        Assert.Empty(await Queue.ListAsync("other"));
    }

    [Fact]
    public async Task Claims_highest_priority_first_then_oldest()
    {
        var oldLow = await EnqueueAsync(priority: 0);
        var oldHigh = await EnqueueAsync(priority: 5);
        var newLow = await EnqueueAsync(priority: 0);
        var newHigh = await EnqueueAsync(priority: 5);

        var order = new List<Guid>();
        while (await Queue.TryClaimAsync("q", "w", Lease) is { } job) order.Add(job.Id);

        Assert.Equal([oldHigh, newHigh, oldLow, newLow], order);
    }

    [Fact]
    public async Task Claim_sets_running_lease_attempt_and_start_time()
    {
        var id = await EnqueueAsync();

        var job = await Queue.TryClaimAsync("q", "w1", Lease);

        Assert.NotNull(job);
        Assert.Equal((id, JobState.Running, "w1", 1), (job.Id, job.State, job.LeaseOwner, job.Attempts));
        var now = _clock.GetUtcNow().UtcDateTime;
        Assert.Equal(now + Lease, job.LeaseExpiresAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(now, job.StartedAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_leased_job_is_not_claimed_again_while_its_lease_holds()
    {
        await EnqueueAsync();
        Assert.NotNull(await Queue.TryClaimAsync("q", "w1", Lease));

        _clock.Advance(Lease - TimeSpan.FromSeconds(1));

        Assert.Null(await Queue.TryClaimAsync("q", "w2", Lease));
    }

    [Fact]
    public async Task Claim_takes_only_its_queue_and_the_kinds_asked_for()
    {
        await EnqueueAsync(kind: "a", queue: "other");
        var b = await EnqueueAsync(kind: "b");
        await EnqueueAsync(kind: "c", priority: 9);

        var job = await Queue.TryClaimAsync("q", "w", Lease, kinds: ["a", "b"]);

        Assert.Equal(b, job?.Id);
        Assert.Null(await Queue.TryClaimAsync("q", "w", Lease, kinds: ["a", "b"]));
    }

    [Fact]
    public async Task An_expired_lease_is_claimed_again_and_the_old_owner_is_rejected()
    {
        var id = await EnqueueAsync();
        await Queue.TryClaimAsync("q", "old", Lease);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));

        var retaken = await Queue.TryClaimAsync("q", "new", Lease);

        Assert.Equal((id, "new", 2), (retaken?.Id, retaken?.LeaseOwner, retaken?.Attempts));
        await Assert.ThrowsAsync<LeaseLostException>(() => Queue.HeartbeatAsync(id, "old", Lease, 0.9, "stale"));
        await Assert.ThrowsAsync<LeaseLostException>(() => Queue.CompleteAsync(id, "old", """{"by":"old"}"""));
        await Assert.ThrowsAsync<LeaseLostException>(() => Queue.FailAsync(id, "old", "boom", retry: false));
        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Running, "new", 0.0, null, null), (job!.State, job.LeaseOwner, job.Progress, job.ResultJson, job.Error));
    }

    [Fact]
    public async Task Heartbeat_extends_the_lease_so_the_job_is_not_taken()
    {
        var id = await EnqueueAsync();
        await Queue.TryClaimAsync("q", "w1", Lease);
        _clock.Advance(Lease - TimeSpan.FromSeconds(1));

        Assert.False(await Queue.HeartbeatAsync(id, "w1", Lease));
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(await Queue.TryClaimAsync("q", "w2", Lease));
    }

    [Fact]
    public async Task A_job_whose_lease_lapses_on_its_last_attempt_fails()
    {
        var id = await EnqueueAsync(maxAttempts: 2);
        foreach (var worker in new[] { "w1", "w2" })
        {
            Assert.Equal(id, (await Queue.TryClaimAsync("q", worker, Lease))?.Id);
            _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        }

        Assert.Null(await Queue.TryClaimAsync("q", "w3", Lease));

        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Failed, 2), (job!.State, job.Attempts));
        Assert.Contains("lease expired 2 times", job.Error);
        Assert.NotNull(job.FinishedAt);
    }

    [Fact]
    public async Task Failing_with_retry_requeues_until_the_attempts_run_out()
    {
        var id = await EnqueueAsync(maxAttempts: 2);
        await Queue.TryClaimAsync("q", "w", Lease);
        Assert.Equal(JobState.Queued, await Queue.FailAsync(id, "w", "first", retry: true));

        await Queue.TryClaimAsync("q", "w", Lease);
        Assert.Equal(JobState.Failed, await Queue.FailAsync(id, "w", "second", retry: true));

        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Failed, 2, "second"), (job!.State, job.Attempts, job.Error));
        Assert.Null(await Queue.TryClaimAsync("q", "w", Lease));
    }

    [Fact]
    public async Task Failing_without_retry_ends_the_job_at_once()
    {
        var id = await EnqueueAsync(maxAttempts: 3);
        await Queue.TryClaimAsync("q", "w", Lease);

        Assert.Equal(JobState.Failed, await Queue.FailAsync(id, "w", "bad input", retry: false));
        Assert.Equal(1, (await Queue.GetAsync(id))!.Attempts);
    }

    [Fact]
    public async Task Complete_stores_the_result_and_ends_the_lease()
    {
        var id = await EnqueueAsync();
        await Queue.TryClaimAsync("q", "w", Lease);

        await Queue.CompleteAsync(id, "w", """{"tokens":42}""");

        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Succeeded, """{"tokens":42}""", 1.0), (job!.State, job.ResultJson, job.Progress));
        Assert.NotNull(job.FinishedAt);
        Assert.Null(job.LeaseExpiresAt);
        await Assert.ThrowsAsync<LeaseLostException>(() => Queue.CompleteAsync(id, "w", null));
    }

    [Fact]
    public async Task Cancelling_a_queued_job_cancels_it_at_once()
    {
        var id = await EnqueueAsync();

        Assert.Equal(JobState.Cancelled, await Queue.RequestCancelAsync(id));

        Assert.Null(await Queue.TryClaimAsync("q", "w", Lease));
        Assert.Equal(JobState.Cancelled, (await Queue.GetAsync(id))!.State);
    }

    [Fact]
    public async Task Cancelling_a_running_job_is_seen_at_its_next_heartbeat_and_confirmed_by_the_worker()
    {
        var id = await EnqueueAsync();
        await Queue.TryClaimAsync("q", "w", Lease);
        Assert.False(await Queue.HeartbeatAsync(id, "w", Lease));

        Assert.Equal(JobState.Running, await Queue.RequestCancelAsync(id));
        Assert.True(await Queue.HeartbeatAsync(id, "w", Lease));
        await Queue.ConfirmCancelAsync(id, "w");

        Assert.Equal(JobState.Cancelled, (await Queue.GetAsync(id))!.State);
    }

    [Fact]
    public async Task A_cancelled_job_whose_worker_died_is_not_run_again()
    {
        var id = await EnqueueAsync();
        await Queue.TryClaimAsync("q", "w1", Lease);
        await Queue.RequestCancelAsync(id);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));

        Assert.Null(await Queue.TryClaimAsync("q", "w2", Lease));
        Assert.Equal(JobState.Cancelled, (await Queue.GetAsync(id))!.State);
    }

    [Fact]
    public async Task Cancelling_an_unknown_job_says_so()
    {
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<JobNotFoundException>(() => Queue.RequestCancelAsync(id));
        Assert.Contains(id.ToString(), e.Message);
    }

    [Fact]
    public async Task Heartbeat_stores_progress()
    {
        var id = await EnqueueAsync();
        await Queue.TryClaimAsync("q", "w", Lease);

        await Queue.HeartbeatAsync(id, "w", Lease, 0.25, "shard 1/4");

        var job = await Queue.GetAsync(id);
        Assert.Equal((0.25, "shard 1/4"), (job!.Progress, job.ProgressMessage));
    }

    [Fact]
    public async Task Release_requeues_without_counting_the_attempt()
    {
        var id = await EnqueueAsync();
        await Queue.TryClaimAsync("q", "w", Lease);

        await Queue.ReleaseAsync(id, "w");

        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Queued, 0, null), (job!.State, job.Attempts, job.LeaseOwner));
    }

    [Fact]
    public async Task Invalid_payload_json_is_rejected_naming_the_kind()
    {
        var e = await Assert.ThrowsAsync<InvalidJobPayloadException>(() => Queue.EnqueueAsync("q", "curation.run", "{\"shards\": [1, 2"));

        Assert.Contains("curation.run", e.Message);
        Assert.Empty(await Queue.ListAsync("q"));
    }

    [Fact]
    public async Task List_filters_by_queue_and_state()
    {
        var a = await EnqueueAsync(queue: "q");
        var b = await EnqueueAsync(queue: "q");
        await EnqueueAsync(queue: "other");
        await Queue.TryClaimAsync("q", "w", Lease);

        Assert.Equal([a, b], (await Queue.ListAsync("q")).Select(j => j.Id));
        Assert.Equal([b], (await Queue.ListAsync("q", JobState.Queued)).Select(j => j.Id));
        Assert.Equal(3, (await Queue.ListAsync()).Count);
    }

    [Fact]
    public async Task Concurrent_claimers_take_each_job_exactly_once()
    {
        const int jobs = 40;
        for (int i = 0; i < jobs; i++) await Queue.EnqueueAsync("q", "k");

        // Separate queue objects (and connections) claiming at once, as separate workers would.
        var claimed = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var queue = new JobQueue(_store!);
            var mine = new List<Guid>();
            while (await queue.TryClaimAsync("q", $"w{w}", Lease) is { } job) mine.Add(job.Id);
            return mine;
        })));

        var all = claimed.SelectMany(ids => ids).ToList();
        Assert.Equal(jobs, all.Count);
        Assert.Equal(jobs, all.Distinct().Count());
    }
}

public sealed class SqliteJobQueueTests : JobQueueTests
{
    protected override Task<MetadataStore> CreateStoreAsync() => JobTestDatabase.SqliteAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresJobQueueTests(PostgresFixture postgres) : JobQueueTests
{
    protected override Task<MetadataStore> CreateStoreAsync() => JobTestDatabase.PostgresAsync(postgres);
}
