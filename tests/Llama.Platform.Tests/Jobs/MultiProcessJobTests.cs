using Llama.Platform.Jobs;
using Llama.Platform.Metadata;
using Llama.Platform.Tests.Infrastructure;

namespace Llama.Platform.Tests.Jobs;

/// <summary>
/// The acceptance tests: real worker processes (Llama.Platform.TestWorker) sharing one queue in one database.
/// Each attempt logs "&lt;jobId&gt; &lt;workerId&gt;" as it starts, so a job run twice shows up twice.
/// </summary>
public abstract class MultiProcessJobTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);
    private readonly string _logDir = Path.Combine(Path.GetTempPath(), $"llama-job-log-{Guid.NewGuid():N}");
    private MetadataStore? _store;
    private JobQueue Queue => new(_store!);

    protected abstract Task<MetadataStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_logDir);
        _store = await CreateStoreAsync();
    }

    public Task DisposeAsync()
    {
        if (_store is not null) JobTestDatabase.Delete(_store);
        Directory.Delete(_logDir, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<TestWorkerProcess[]> StartWorkersAsync(params string[] workerIds)
    {
        var workers = workerIds.Select(id => TestWorkerProcess.Start(_store!, "q", id, _logDir, Lease)).ToArray();
        foreach (var worker in workers) await worker.WaitUntilReadyAsync(Startup);
        return workers;
    }

    /// <summary>Every "&lt;jobId&gt; &lt;workerId&gt;" line that any worker logged.</summary>
    private List<(Guid Job, string Worker)> Log() =>
        Directory.GetFiles(_logDir, "*.log").SelectMany(File.ReadAllLines)
            .Select(line => line.Split(' ')).Select(parts => (Guid.Parse(parts[0]), parts[1])).ToList();

    [Fact]
    public async Task Two_worker_processes_drain_one_queue_running_each_job_exactly_once()
    {
        var workers = await StartWorkersAsync("worker-a", "worker-b");
        try
        {
            var ids = new List<Guid>();
            for (int i = 0; i < 30; i++) ids.Add(await Queue.EnqueueAsync("q", "test.record", """{"sleepMs":100}"""));

            await JobTestDatabase.WaitUntilAsync(async () => (await Queue.ListAsync("q", JobState.Succeeded)).Count == ids.Count,
                TimeSpan.FromSeconds(45), "all 30 jobs succeeded");

            var log = Log();
            var ranTwice = log.GroupBy(entry => entry.Job).Where(runs => runs.Count() > 1).Select(runs => runs.Key).ToList();
            Assert.True(ranTwice.Count == 0,
                $"ran more than once: {string.Join(", ", ranTwice)}\n{string.Join("\n", workers.Select(w => w.Output))}");
            Assert.Equal(ids.Order(), log.Select(entry => entry.Job).Order());
            Assert.All(await Queue.ListAsync("q"), job => Assert.Equal((JobState.Succeeded, 1), (job.State, job.Attempts)));
            // Both took part: otherwise this would not have tested two claimers at all.
            Assert.Equal(["worker-a", "worker-b"], log.Select(entry => entry.Worker).Distinct().Order());
        }
        finally
        {
            foreach (var worker in workers) worker.Dispose();
        }
    }

    [Fact]
    public async Task A_job_of_a_worker_killed_mid_run_is_rerun_by_the_other_once_its_lease_expires()
    {
        var workers = await StartWorkersAsync("worker-a", "worker-b");
        try
        {
            // The first attempt would run for a minute: it can only end by the kill.
            var id = await Queue.EnqueueAsync("q", "test.record", """{"sleepMs":100,"firstAttemptSleepMs":60000}""");
            await JobTestDatabase.WaitUntilAsync(() => Task.FromResult(Log().Count == 1), Startup, "a worker started the job");
            var first = Log()[0].Worker;
            var victim = workers.Single(w => w.WorkerId == first);
            var survivor = workers.Single(w => w.WorkerId != first);

            victim.Kill();

            await JobTestDatabase.WaitUntilAsync(async () => (await Queue.GetAsync(id))?.State == JobState.Succeeded,
                Lease * 10, "the surviving worker ran the job again to success");
            var job = await Queue.GetAsync(id);
            Assert.Equal((2, survivor.WorkerId), (job!.Attempts, job.LeaseOwner));
            Assert.Equal([(id, victim.WorkerId), (id, survivor.WorkerId)], Log().OrderBy(entry => entry.Worker == survivor.WorkerId));
            Assert.False(survivor.HasExited, survivor.Output);
        }
        finally
        {
            foreach (var worker in workers) worker.Dispose();
        }
    }
}

// Both suites sit in the PostgreSQL collection so that no two sets of worker processes compete for the CPUs at once.
[Collection(PostgresCollection.Name)]
public sealed class SqliteMultiProcessJobTests : MultiProcessJobTests
{
    protected override Task<MetadataStore> CreateStoreAsync() => JobTestDatabase.SqliteAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresMultiProcessJobTests(PostgresFixture postgres) : MultiProcessJobTests
{
    protected override Task<MetadataStore> CreateStoreAsync() => JobTestDatabase.PostgresAsync(postgres);
}
