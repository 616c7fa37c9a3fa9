using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Llama.Web.Tests;

/// <summary>The web role's pipeline proxy over HTTP: the pipelines page's requests reach the pipeline service's job API.</summary>
public sealed class WebUiPipelineTests : IAsyncLifetime
{
    private StandInPipelineService _pipeline = null!;
    private WebRoleHost _web = null!;

    public async Task InitializeAsync()
    {
        _pipeline = await StandInPipelineService.StartAsync();
        _web = await WebRoleHost.StartAsync(servingUrl: null, _pipeline.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task A_job_submitted_through_the_web_role_runs_in_the_pipeline_service_and_is_followed_to_its_report()
    {
        var settings = await _web.Http.GetFromJsonAsync<JsonElement>("/api/web/settings");
        Assert.Equal(_pipeline.Address.ToString(), settings.GetProperty("pipelineUrl").GetString());

        var submit = await _web.Http.PostAsJsonAsync("/api/pipeline/jobs", new { preset = "tiny" });
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var submitted = await submit.Content.ReadFromJsonAsync<JsonElement>();
        var id = submitted.GetProperty("id").GetGuid();
        // The paths the service answers with are the web role's paths too.
        Assert.Equal($"/api/pipeline/jobs/{id}", submitted.GetProperty("status").GetString());

        var listed = Assert.Single((await _web.Http.GetFromJsonAsync<JsonElement>("/api/pipeline/jobs")).EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetGuid());
        Assert.Equal("tiny", listed.GetProperty("request").GetProperty("preset").GetString());

        // Progress arrives over the forwarded event stream while the job runs; the stream ends with the job.
        using var events = await _web.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/pipeline/jobs/{id}/events"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        var seen = new List<string>();
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)) is { } line)
        {
            seen.Add(line);
            if (line.Contains($"\"message\":\"{StandInPipelineService.HoldStep}: running\"", StringComparison.Ordinal)) _pipeline.Release(id);
        }
        Assert.Contains(seen, l => l.StartsWith("event: progress", StringComparison.Ordinal));
        Assert.Equal("event: end", seen.Last(l => l.StartsWith("event:", StringComparison.Ordinal)));
        Assert.Contains("\"state\":\"Succeeded\"", seen.Last(l => l.StartsWith("data:", StringComparison.Ordinal)));

        string report = await _web.Http.GetStringAsync($"/api/pipeline/jobs/{id}/report?format=md");
        Assert.StartsWith(StandInPipelineService.ReportHeading, report);
        var state = await _web.Http.GetFromJsonAsync<JsonElement>($"/api/pipeline/jobs/{id}/report?format=json");
        Assert.Equal(StandInPipelineService.Steps.Length, state.GetProperty("steps").EnumerateObject().Count());
    }

    [Fact]
    public async Task The_services_refusal_and_its_problem_come_back_unchanged()
    {
        var response = await _web.Http.PostAsync("/api/pipeline/jobs", new StringContent("""{"preset":"huge"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("known presets", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _web.Http.GetAsync($"/api/pipeline/jobs/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task A_running_job_cancelled_through_the_web_role_ends_cancelled()
    {
        var submit = await _web.Http.PostAsJsonAsync("/api/pipeline/jobs", new { preset = "smoke" });
        var id = (await submit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await WaitForAsync(id, job => job.GetProperty("message").GetString() == $"{StandInPipelineService.HoldStep}: running");

        var cancel = await _web.Http.DeleteAsync($"/api/pipeline/jobs/{id}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await WaitForAsync(id, job => job.GetProperty("state").GetString() == "Cancelled");
    }

    [Fact]
    public async Task Without_a_pipeline_url_the_pipeline_api_is_a_503_problem_naming_the_setting()
    {
        await using var web = await WebRoleHost.StartAsync(servingUrl: null);
        var settings = await web.Http.GetFromJsonAsync<JsonElement>("/api/web/settings");
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("pipelineUrl").ValueKind);
        Assert.Contains(ServiceEndpoint.PipelineUrlKey, settings.GetProperty("pipelineUrlSource").GetString());

        var response = await web.Http.PostAsJsonAsync("/api/pipeline/jobs", new { preset = "smoke" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("No pipeline service", problem.GetProperty("title").GetString());
        Assert.Contains(ServiceEndpoint.PipelineUrlKey, problem.GetProperty("detail").GetString());
    }

    private async Task WaitForAsync(Guid id, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition(await _web.Http.GetFromJsonAsync<JsonElement>($"/api/pipeline/jobs/{id}")))
        {
            Assert.True(DateTime.UtcNow < deadline, $"job {id} did not get there within 20 s");
            await Task.Delay(100);
        }
    }
}
