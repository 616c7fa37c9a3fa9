using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Hosting;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llama.AppHost.Tests.Jobs;

/// <summary>
/// The job API every stage service shares, hosted as a service hosts it (Kestrel, SQLite, a real JobWorker), with a
/// small "count" stage: it records a run, counts to the number it is given with progress, and registers an artifact.
/// </summary>
public sealed class StageJobApiTests : IAsyncLifetime
{
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _outputs = [];
    private InProcessService _service = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _service = await InProcessService.StartAsync(
            (services, _) => services.AddStageJobWorker("count", handlers => handlers.Add("count.run", CountAsync),
                o => o with { PollInterval = TimeSpan.FromMilliseconds(50), LeaseDuration = TimeSpan.FromSeconds(3) }),
            app => app.MapStageJobApi("count", "count.run", body =>
                body.ValueKind == JsonValueKind.Object && body.TryGetProperty("to", out var to) && to.TryGetInt32(out int n) && n >= 0
                    ? null : "the body must be an object with a non-negative integer 'to'")
                .MapStageReport("count", [("json", "report.json", "application/json"), ("md", "report.md", "text/markdown")]));
        _http = _service.Http;
    }

    private async Task<string?> CountAsync(JobContext context)
    {
        var store = _service.Services.GetRequiredService<MetadataStore>();
        int to = JsonDocument.Parse(context.PayloadJson).RootElement.GetProperty("to").GetInt32();
        var runs = new RunTracker(store);
        var run = await runs.StartAsync("count", $"count-to-{to}", context.PayloadJson);
        for (int i = 1; i <= to; i++)
        {
            await Task.Delay(100, context.Cancellation);
            await context.ReportProgressAsync(i / (double)to, $"{i} of {to}");
        }
        var artifact = await new ArtifactRegistry(store).RegisterAsync(
            new NewArtifact("report", $"count-{to}", "objects/none", 0, new string('0', 64), ProducedByRunId: run.Id));
        await runs.FinishAsync(run.Id, RunStatus.Succeeded);
        string output = Directory.CreateTempSubdirectory("llama-count-").FullName;
        _outputs.Add(output);
        File.WriteAllText(Path.Combine(output, "report.json"), JsonSerializer.Serialize(new { counted = to }));
        return JsonSerializer.Serialize(new StageJobResult(run.Id, output, artifact.Id), JsonSerializerOptions.Web);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        foreach (var output in _outputs) Directory.Delete(output, recursive: true);
    }

    private async Task<SubmittedJobDto> SubmitAsync(object body)
    {
        var response = await _http.PostAsJsonAsync("/api/count/jobs", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SubmittedJobDto>())!;
    }

    private async Task<JsonElement> WaitForAsync(Guid id, string state)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var job = await _http.GetFromJsonAsync<JsonElement>($"/api/count/jobs/{id}");
            if (job.GetProperty("state").GetString() == state) return job;
        }
        throw new TimeoutException($"job {id} did not reach {state}");
    }

    [Fact]
    public async Task A_submitted_job_runs_reports_progress_and_lists_its_artifacts()
    {
        var submitted = await SubmitAsync(new { to = 3 });
        var job = await WaitForAsync(submitted.Id, "Succeeded");
        Assert.Equal(1.0, job.GetProperty("progress").GetDouble());
        Assert.Equal("3 of 3", job.GetProperty("message").GetString());
        var artifacts = await _http.GetFromJsonAsync<JsonElement>($"/api/count/jobs/{submitted.Id}/artifacts");
        Assert.Equal("count-3", artifacts[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_submission_repeated_with_its_idempotency_key_returns_the_same_job()
    {
        var key = Guid.NewGuid();
        async Task<HttpResponseMessage> SubmitWithKeyAsync(string value)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/count/jobs") { Content = JsonContent.Create(new { to = 1 }) };
            request.Headers.Add(StageJobApi.IdempotencyKeyHeader, value);
            return await _http.SendAsync(request);
        }

        var first = await (await SubmitWithKeyAsync(key.ToString())).Content.ReadFromJsonAsync<SubmittedJobDto>();
        var again = await SubmitWithKeyAsync(key.ToString());

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal((key, key), (first!.Id, (await again.Content.ReadFromJsonAsync<SubmittedJobDto>())!.Id));
        Assert.Single((await _http.GetFromJsonAsync<JsonElement>("/api/count/jobs")).EnumerateArray());
        var malformed = await SubmitWithKeyAsync("not-a-guid");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("Idempotency-Key", await malformed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Events_stream_progress_and_end_when_the_job_ends()
    {
        var submitted = await SubmitAsync(new { to = 4 });
        var body = await _http.GetStringAsync(submitted.Events);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("event: end", events[^1]);
        Assert.Contains("\"state\":\"Succeeded\"", events[^1]);
        Assert.True(events.Length >= 2, body);
    }

    [Fact]
    public async Task A_running_job_can_be_cancelled()
    {
        var submitted = await SubmitAsync(new { to = 200 });
        await WaitForAsync(submitted.Id, "Running");
        var cancel = await _http.DeleteAsync(submitted.Status);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await WaitForAsync(submitted.Id, "Cancelled");
    }

    [Theory]
    [InlineData("{\"to\": -1}")]
    [InlineData("[1, 2]")]
    [InlineData("{not json")]
    public async Task A_bad_request_is_a_400_problem_and_queues_nothing(string body)
    {
        var response = await _http.PostAsync("/api/count/jobs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var jobs = await _http.GetFromJsonAsync<JsonElement>("/api/count/jobs");
        Assert.Equal(0, jobs.GetArrayLength());
    }

    [Fact]
    public async Task The_report_comes_once_the_job_has_succeeded()
    {
        var slow = await SubmitAsync(new { to = 200 });
        await WaitForAsync(slow.Id, "Running");
        Assert.Equal(HttpStatusCode.Conflict, (await _http.GetAsync($"{slow.Status}/report")).StatusCode);
        await _http.DeleteAsync(slow.Status);

        var quick = await SubmitAsync(new { to = 2 });
        await WaitForAsync(quick.Id, "Succeeded");
        var report = await _http.GetFromJsonAsync<JsonElement>($"{quick.Status}/report");
        Assert.Equal(2, report.GetProperty("counted").GetInt32());
        Assert.Equal(HttpStatusCode.Gone, (await _http.GetAsync($"{quick.Status}/report?format=md")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"{quick.Status}/report?format=pdf")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_job_is_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/count/jobs/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.DeleteAsync($"/api/count/jobs/{Guid.NewGuid()}")).StatusCode);
    }
}
