using Llama.Platform.Jobs;
using Llama.Platform.Metadata;
using Llama.Platform.Tests.Infrastructure;

namespace Llama.Platform.Tests.Jobs;

/// <summary>The worker loop in this process, on each provider: handlers, outcomes, cancellation, progress, stop.</summary>
public abstract class JobWorkerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private MetadataStore? _store;
    private JobQueue Queue => new(_store!);

    protected abstract Task<MetadataStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync()
    {
        if (_store is not null) JobTestDatabase.Delete(_store);
        return Task.CompletedTask;
    }

    private JobWorker Worker(JobHandlerRegistry handlers) => new(Queue, handlers, new JobWorkerOptions
    {
        Queue = "q", WorkerId = "test-worker", LeaseDuration = TimeSpan.FromMilliseconds(900), PollInterval = TimeSpan.FromMilliseconds(50),
    });

    private Task WaitForStateAsync(Guid id, JobState state) =>
        JobTestDatabase.WaitUntilAsync(async () => (await Queue.GetAsync(id))?.State == state, Timeout, $"job {id} is {state}");

    [Fact]
    public async Task Runs_the_handler_for_the_kind_and_stores_its_result()
    {
        var id = await Queue.EnqueueAsync("q", "echo", """{"text":"hi"}""");
        var handlers = new JobHandlerRegistry().Add("echo", ctx => Task.FromResult<string?>($$"""{"echo":"{{ctx.Payload<EchoPayload>().Text}}"}"""));

        Assert.True(await Worker(handlers).RunNextAsync());

        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Succeeded, """{"echo":"hi"}""", "test-worker"), (job!.State, job.ResultJson, job.LeaseOwner));
        Assert.False(await Worker(handlers).RunNextAsync());
    }

    private sealed record EchoPayload(string Text);

    [Fact]
    public async Task An_unknown_kind_fails_at_once_with_a_clear_error()
    {
        var id = await Queue.EnqueueAsync("q", "nobody.handles.this", maxAttempts: 3);

        await Worker(new JobHandlerRegistry().Add("echo", _ => Task.FromResult<string?>(null))).RunNextAsync();

        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Failed, 1), (job!.State, job.Attempts));
        Assert.Contains("no handler for job kind 'nobody.handles.this'", job.Error);
        Assert.Contains("echo", job.Error);
    }

    [Fact]
    public async Task A_throwing_handler_is_retried_until_its_attempts_run_out()
    {
        var id = await Queue.EnqueueAsync("q", "flaky", maxAttempts: 2);
        int runs = 0;
        var worker = Worker(new JobHandlerRegistry().Add("flaky", _ => throw new InvalidOperationException($"broke on run {++runs}")));

        await worker.RunNextAsync();
        Assert.Equal(JobState.Queued, (await Queue.GetAsync(id))!.State);
        await worker.RunNextAsync();

        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Failed, 2, 2), (job!.State, job.Attempts, runs));
        Assert.Contains("broke on run 2", job.Error);
    }

    [Fact]
    public async Task A_cancel_request_stops_the_running_handler_and_ends_the_job_cancelled()
    {
        var id = await Queue.EnqueueAsync("q", "forever");
        var handlerStopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("forever", async ctx =>
        {
            try { await Task.Delay(System.Threading.Timeout.Infinite, ctx.Cancellation); }
            finally { handlerStopped.TrySetResult(true); }
            return null;
        });
        using var stop = new CancellationTokenSource();
        var running = Worker(handlers).RunAsync(stop.Token);
        await WaitForStateAsync(id, JobState.Running);

        await Queue.RequestCancelAsync(id);

        await WaitForStateAsync(id, JobState.Cancelled);
        Assert.True(handlerStopped.Task.IsCompleted);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Reported_progress_is_stored_on_the_job()
    {
        var id = await Queue.EnqueueAsync("q", "slow");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("slow", async ctx =>
        {
            await ctx.ReportProgressAsync(0.5, "half way");
            await release.Task.WaitAsync(ctx.Cancellation);
            ctx.Progress.Report(new JobProgress(0.75, "three quarters"));
            await Task.Delay(TimeSpan.FromSeconds(2), ctx.Cancellation); // the heartbeat stores what Progress keeps
            return null;
        });
        using var stop = new CancellationTokenSource();
        var running = Worker(handlers).RunAsync(stop.Token);

        await JobTestDatabase.WaitUntilAsync(async () => (await Queue.GetAsync(id))?.ProgressMessage == "half way", Timeout, "progress 0.5 is stored");
        Assert.Equal(0.5, (await Queue.GetAsync(id))!.Progress);
        release.SetResult();
        await JobTestDatabase.WaitUntilAsync(async () => (await Queue.GetAsync(id))?.Progress == 0.75, Timeout, "progress 0.75 is stored by a heartbeat");

        await WaitForStateAsync(id, JobState.Succeeded);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Stopping_the_worker_gives_its_running_job_back_uncounted()
    {
        var id = await Queue.EnqueueAsync("q", "forever");
        var handlers = new JobHandlerRegistry().Add("forever", async ctx =>
        {
            await Task.Delay(System.Threading.Timeout.Infinite, ctx.Cancellation);
            return null;
        });
        using var stop = new CancellationTokenSource();
        var running = Worker(handlers).RunAsync(stop.Token);
        await WaitForStateAsync(id, JobState.Running);

        await stop.CancelAsync();
        await running;

        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Queued, 0, null), (job!.State, job.Attempts, job.LeaseOwner));
    }

    [Fact]
    public async Task Heartbeats_keep_a_job_longer_than_its_lease_from_being_taken()
    {
        var id = await Queue.EnqueueAsync("q", "slow");
        var handlers = new JobHandlerRegistry().Add("slow", async ctx =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2.5), ctx.Cancellation); // nearly three 0.9 s leases
            return null;
        });
        using var stop = new CancellationTokenSource();
        var running = Worker(handlers).RunAsync(stop.Token);
        await WaitForStateAsync(id, JobState.Running);

        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < deadline)
        {
            Assert.Null(await Queue.TryClaimAsync("q", "thief", TimeSpan.FromSeconds(1)));
            await Task.Delay(100);
        }

        await WaitForStateAsync(id, JobState.Succeeded);
        Assert.Equal(1, (await Queue.GetAsync(id))!.Attempts);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_worker_whose_lease_was_taken_over_stops_and_writes_nothing()
    {
        var id = await Queue.EnqueueAsync("q", "stuck");
        var handlerCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("stuck", async ctx =>
        {
            try { await Task.Delay(System.Threading.Timeout.Infinite, ctx.Cancellation); }
            catch (OperationCanceledException) { handlerCancelled.SetResult(); throw; }
            return null;
        });
        using var stop = new CancellationTokenSource();
        var running = Worker(handlers).RunAsync(stop.Token);
        await WaitForStateAsync(id, JobState.Running);

        // Another worker takes the job over, as it would after this worker's lease lapsed (simulated by a clock far ahead).
        var clock = new ManualClock();
        clock.Advance(TimeSpan.FromDays(365 * 100));
        Assert.Equal(id, (await new JobQueue(_store!, clock).TryClaimAsync("q", "new-owner", TimeSpan.FromDays(365 * 200)))?.Id);

        await handlerCancelled.Task.WaitAsync(Timeout);
        await stop.CancelAsync();
        await running;
        var job = await Queue.GetAsync(id);
        Assert.Equal((JobState.Running, "new-owner", 2), (job!.State, job.LeaseOwner, job.Attempts));
    }
}

public sealed class SqliteJobWorkerTests : JobWorkerTests
{
    protected override Task<MetadataStore> CreateStoreAsync() => JobTestDatabase.SqliteAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresJobWorkerTests(PostgresFixture postgres) : JobWorkerTests
{
    protected override Task<MetadataStore> CreateStoreAsync() => JobTestDatabase.PostgresAsync(postgres);
}
