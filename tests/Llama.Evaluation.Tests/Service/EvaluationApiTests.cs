using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Llama.Evaluation.Service;
using Llama.Platform;
using Llama.Platform.Hosting;
using Llama.Platform.Jobs.Api;
using Llama.Platform.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llama.Evaluation.Tests.Service;

/// <summary>The evaluation role as <c>llama service --role evaluation</c> hosts it: the job API, its worker, and the report.</summary>
public sealed class EvaluationApiTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("llama-eval-api-").FullName;
    private WebApplication? _app;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var settings = PlatformSettings.Embedded(Path.Combine(_root, "home"));
        await new MetadataStore(settings.Metadata).MigrateAsync();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddLlamaPlatform(settings);
        builder.Services.AddProblemDetails();
        builder.Services.AddStageJobWorker("evaluation", jobs => jobs.Add(EvaluationJobRequest.Kind, new EvaluationJobHandler(settings)),
            o => o with { PollInterval = TimeSpan.FromMilliseconds(200) });
        _app = builder.Build();
        _app.UseExceptionHandler();
        _app.MapEvaluationApi();
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    [Fact]
    public async Task A_request_without_tasks_is_a_400_problem()
    {
        var response = await _http.PostAsJsonAsync("/api/evaluation/jobs", new { model = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("tasks", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_job_evaluates_a_model_and_serves_its_report()
    {
        var model = TestModels.SaveRandom(Path.Combine(_root, "model"));
        var submitted = await (await _http.PostAsJsonAsync("/api/evaluation/jobs", new { model, tasks = new[] { "quiz" }, limit = 4 }))
            .Content.ReadFromJsonAsync<SubmittedJobDto>();
        StageJobDto? job = null;
        for (var deadline = DateTime.UtcNow.AddMinutes(3); DateTime.UtcNow < deadline; await Task.Delay(300))
        {
            job = await _http.GetFromJsonAsync<StageJobDto>(submitted!.Status, JsonSerializerOptions.Web);
            if (job!.State is "Succeeded" or "Failed") break;
        }
        Assert.True(job?.State == "Succeeded", $"job ended {job?.State}: {job?.Error}");
        var report = await _http.GetStringAsync($"{submitted!.Status}/report?format=md");
        Assert.Contains("| quiz | acc |", report);
        var results = await _http.GetStringAsync($"{submitted.Status}/report?format=json");
        Assert.Contains("\"acc_norm\"", results);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}
