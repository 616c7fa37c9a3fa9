using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Llama.Platform.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llama.Platform.Tests.Jobs;

/// <summary>
/// A job continues the trace of whoever submitted it: the worker's job activity is a child of the submitting activity,
/// also when the submission is an HTTP call from another job (a pipeline step submitted to a stage service).
/// </summary>
public sealed class JobTracingTests : IAsyncLifetime, IDisposable
{
    private static readonly ActivitySource Test = new("Llama.Platform.Tests.Tracing");
    private readonly ConcurrentBag<Activity> _stopped = [];
    private readonly ActivityListener _listener;
    private MetadataStore _store = null!;

    public JobTracingTests()
    {
        // Every source, as the service defaults' OpenTelemetry does for ASP.NET Core and HttpClient; tests running
        // beside this one add activities too, which the assertions tell apart by trace id.
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Add,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task InitializeAsync() => _store = await JobTestDatabase.SqliteAsync();

    public Task DisposeAsync()
    {
        JobTestDatabase.Delete(_store);
        return Task.CompletedTask;
    }

    public void Dispose() => _listener.Dispose();

    private JobWorker Worker(JobQueue queue, string name, JobHandlerRegistry handlers) =>
        new(queue, handlers, new JobWorkerOptions { Queue = name, WorkerId = $"{name}-worker" });

    [Fact]
    public async Task The_job_activity_is_a_child_of_the_activity_that_submitted_the_job()
    {
        var queue = new JobQueue(_store);
        Guid id;
        ActivityContext submitter;
        using (var submitting = Test.StartActivity("submit"))
        {
            submitter = submitting!.Context;
            id = await queue.EnqueueAsync("q", "echo");
        }
        Assert.Null(Activity.Current); // the worker runs outside the submitter's scope, as another process would

        Activity? seenByHandler = null;
        var handlers = new JobHandlerRegistry().Add("echo", _ => { seenByHandler = Activity.Current; return Task.FromResult<string?>(null); });
        Assert.True(await Worker(queue, "q", handlers).RunNextAsync());

        Assert.NotNull(seenByHandler);
        Assert.Equal(JobTracing.SourceName, seenByHandler.Source.Name);
        Assert.Equal("job echo", seenByHandler.DisplayName);
        Assert.Equal((submitter.TraceId, submitter.SpanId), (seenByHandler.TraceId, seenByHandler.ParentSpanId));
        Assert.Equal(id.ToString(), seenByHandler.GetTagItem("llama.job.id"));
        Assert.Equal(ActivityStatusCode.Ok, seenByHandler.Status);
        Assert.Equal(submitter.TraceId.ToHexString(), StageJobDto.From((await queue.GetAsync(id))!).TraceId);
    }

    [Fact]
    public async Task A_job_submitted_outside_any_trace_starts_its_own_and_a_failure_marks_it()
    {
        var queue = new JobQueue(_store);
        var id = await queue.EnqueueAsync("q", "boom", maxAttempts: 1);
        Assert.Null((await queue.GetAsync(id))!.TraceParent);

        Activity? seenByHandler = null;
        var handlers = new JobHandlerRegistry().Add("boom", _ => { seenByHandler = Activity.Current; throw new PermanentJobFailureException("no input"); });
        Assert.True(await Worker(queue, "q", handlers).RunNextAsync());

        Assert.NotNull(seenByHandler);
        Assert.Equal(default, seenByHandler.ParentSpanId);
        Assert.Equal((ActivityStatusCode.Error, "no input"), (seenByHandler.Status, seenByHandler.StatusDescription));
    }

    [Fact]
    public async Task A_job_that_submits_to_another_service_over_http_shares_its_trace_with_the_job_there()
    {
        // The stage service: the shared job API over its own queue; its worker runs below, after the submission.
        var queue = new JobQueue(_store);
        await using var stage = await StartStageServiceAsync(_store);

        // The pipeline's job: its handler submits a step over HTTP, as the pipeline service does.
        var pipelineJob = await queue.EnqueueAsync("pipeline", "pipeline.run");
        Activity? pipelineActivity = null;
        Guid stageJob = default;
        using var http = new HttpClient { BaseAddress = stage.Address };
        var pipelineHandlers = new JobHandlerRegistry().Add("pipeline.run", async _ =>
        {
            pipelineActivity = Activity.Current;
            using var response = await http.PostAsync("/api/stage/jobs", new StringContent("""{"n":1}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            stageJob = JsonSerializer.Deserialize<SubmittedJobDto>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!.Id;
            return null;
        });
        Assert.True(await Worker(queue, "pipeline", pipelineHandlers).RunNextAsync());

        Activity? stageActivity = null;
        var stageHandlers = new JobHandlerRegistry().Add("stage.run", _ => { stageActivity = Activity.Current; return Task.FromResult<string?>(null); });
        Assert.True(await Worker(queue, "stage", stageHandlers).RunNextAsync());

        Assert.Equal(JobState.Succeeded, (await queue.GetAsync(stageJob))!.State);
        Assert.NotNull(pipelineActivity);
        Assert.NotNull(stageActivity);
        Assert.Equal(pipelineActivity.TraceId, stageActivity.TraceId);
        // The chain, from the stage job up: the stage service's handling of the request, the request, the pipeline job.
        var trace = _stopped.Where(a => a.TraceId == pipelineActivity.TraceId).ToDictionary(a => a.SpanId);
        var ancestors = new List<Activity>();
        for (var span = stageActivity.ParentSpanId; trace.TryGetValue(span, out var parent); span = parent.ParentSpanId)
            ancestors.Add(parent);
        Assert.Equal(
            [$"Microsoft.AspNetCore:{ActivityKind.Server}", $"System.Net.Http:{ActivityKind.Client}", $"{JobTracing.SourceName}:{ActivityKind.Consumer}"],
            ancestors.Select(a => $"{a.Source.Name}:{a.Kind}"));
        Assert.Equal(pipelineActivity.SpanId, ancestors[^1].SpanId);
    }

    /// <summary>The job API of a stage named <c>stage</c> on a free loopback port, over <paramref name="store"/>.</summary>
    private static async Task<StageService> StartStageServiceAsync(MetadataStore store)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(new JobQueue(store));
        builder.Services.AddScoped(_ => store.CreateContext());
        var app = builder.Build();
        app.MapStageJobApi("stage", "stage.run", _ => null);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new StageService(app, new Uri(address));
    }

    private sealed record StageService(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
