using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Llama.AppHost.Tests;

/// <summary>
/// The whole AppHost, started in this process by Aspire.Hosting.Testing, without a container engine: local
/// PostgreSQL (initdb into a temporary folder), a shared object folder, and the registry service.
/// </summary>
public sealed class AppHostEndToEndTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Registry_serves_artifacts_and_openapi_over_local_postgres()
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "llama-apphost-" + Guid.NewGuid().ToString("N")[..12]);
        int port = FreePort();
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
                ["Llama:UseContainers=false", $"Llama:DataDirectory={dataDirectory}", $"Llama:Postgres:Port={port}"], timeout.Token);
            await using (var app = await builder.BuildAsync(timeout.Token))
            {
                string[] resources = ["postgres", "registry", "curation", "pretraining", "quantization", "evaluation", "pipeline"];
                var logs = CollectLogs(app, resources, timeout.Token);
                await app.StartAsync(timeout.Token);
                try
                {
                    foreach (var resource in resources)
                        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                }
                catch (DistributedApplicationException e)
                {
                    // A resource that fails to start says why only in its own log: put it in the failure message.
                    throw new Xunit.Sdk.XunitException($"{e.Message}\n--- resource logs ---\n{logs}");
                }

                using var registry = app.CreateHttpClient("registry", "http");

                using var evaluation = app.CreateHttpClient("evaluation", "http");
                var tasks = await evaluation.GetFromJsonAsync<string[]>("/api/evaluation/tasks", timeout.Token);
                Assert.Contains("quiz", tasks!);

                var list = await registry.GetAsync("/api/artifacts", timeout.Token);
                Assert.Equal(HttpStatusCode.OK, list.StatusCode);
                var artifacts = await list.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                Assert.Equal(JsonValueKind.Array, artifacts.ValueKind);
                Assert.Equal(0, artifacts.GetArrayLength());

                var missing = await registry.GetAsync($"/api/artifacts/{Guid.NewGuid()}", timeout.Token);
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
                Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
                var problem = await missing.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                Assert.Equal(404, problem.GetProperty("status").GetInt32());

                var malformed = await registry.GetAsync("/api/artifacts/not-a-guid", timeout.Token);
                Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
                Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);

                var openApi = await registry.GetFromJsonAsync<JsonElement>("/openapi/v1.json", timeout.Token);
                var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
                Assert.Superset(new HashSet<string>
                {
                    "/api/artifacts", "/api/artifacts/{id}", "/api/runs", "/api/runs/{id}", "/api/runs/{id}/metrics",
                    "/api/datasets", "/api/datasets/{id}", "/api/checkpoints", "/api/eval-results",
                }, paths);

                // A curation job submitted to the curation service runs in its worker, is followed to the end over
                // server-sent events, and its dataset shows up in the registry: the services meet in the shared database.
                using var curation = app.CreateHttpClient("curation", "http");
                string austen = Path.Combine(RepositoryRoot(), "data", "corpus", "austen");
                var submit = await curation.PostAsJsonAsync("/api/curation/jobs",
                    new { inputs = new[] { austen }, output = Path.Combine(dataDirectory, "curated"), name = "austen-e2e" }, timeout.Token);
                Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
                var job = await submit.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                AssertSucceeded(await WaitForJobAsync(curation, job.GetProperty("status").GetString()!, timeout.Token));
                // The event stream of an ended job replays its final state and closes.
                string events = await curation.GetStringAsync(job.GetProperty("events").GetString(), timeout.Token);
                Assert.Contains("\"state\":\"Succeeded\"", events.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1]);
                var report = await curation.GetFromJsonAsync<JsonElement>($"{job.GetProperty("status").GetString()}/report", timeout.Token);
                Assert.True(report.GetProperty("Output").GetProperty("Documents").GetInt64() > 0);
                var datasets = await registry.GetFromJsonAsync<JsonElement>("/api/artifacts?kind=dataset", timeout.Token);
                Assert.Contains(datasets.EnumerateArray(), d => d.GetProperty("name").GetString() == "austen-e2e");

                // The curated folder feeds a pretraining job in the pretraining service; its model lands in the registry.
                using var pretraining = app.CreateHttpClient("pretraining", "http");
                var train = await pretraining.PostAsJsonAsync("/api/pretraining/jobs",
                    new { data = Path.Combine(dataDirectory, "curated"), preset = "smoke", output = Path.Combine(dataDirectory, "pretrained"), name = "smoke-e2e" }, timeout.Token);
                Assert.Equal(HttpStatusCode.Accepted, train.StatusCode);
                var trainJob = await train.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                AssertSucceeded(await WaitForJobAsync(pretraining, trainJob.GetProperty("status").GetString()!, timeout.Token));
                var chart = await pretraining.GetAsync($"{trainJob.GetProperty("status").GetString()}/report?format=png", timeout.Token);
                Assert.Equal("image/png", chart.Content.Headers.ContentType?.MediaType);
                var models = await registry.GetFromJsonAsync<JsonElement>("/api/artifacts?kind=model", timeout.Token);
                Assert.Equal(1, models.GetArrayLength());

                // The web UI: its page, and from its own origin the registry API it reads (the model just made).
                await app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
                using var web = app.CreateHttpClient("web", "http");
                Assert.Contains("<script type=\"module\"", await web.GetStringAsync("/", timeout.Token));
                var webModels = await web.GetFromJsonAsync<JsonElement>("/api/artifacts?kind=model", timeout.Token);
                Assert.Equal(models.GetRawText(), webModels.GetRawText());
                // The trained model, named by its artifact id, feeds a job in the quantization service (fetched from the
                // object store); the FP8 model is registered as made from it. The budget is opened: the verdict on a
                // smoke model is not what this checks.
                using var quantization = app.CreateHttpClient("quantization", "http");
                string trained = models[0].GetProperty("id").GetString()!;
                var quantize = await quantization.PostAsJsonAsync("/api/quantization/jobs", new
                {
                    model = trained, output = Path.Combine(dataDirectory, "fp8"), name = "fp8-e2e",
                    config = new { quality = new { maxTokens = 256, prompts = 1, maxPerplexityIncrease = 1.0, minTop1Agreement = 0.0 } },
                }, timeout.Token);
                Assert.Equal(HttpStatusCode.Accepted, quantize.StatusCode);
                var quantizeJob = await quantize.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                AssertSucceeded(await WaitForJobAsync(quantization, quantizeJob.GetProperty("status").GetString()!, timeout.Token));
                var lineage = await registry.GetStringAsync($"/api/artifacts/{trained}/lineage?direction=down", timeout.Token);
                Assert.Contains("quantized-from", lineage);
                // The dashboard's command on the pipeline resource starts the smoke pipeline, which runs each step as a
                // job of its stage's service: curation, pretraining, alignment and quantization get one more job each,
                // evaluation three (the pretrained, aligned and FP8 models).
                var command = await app.Services.GetRequiredService<ResourceCommandService>()
                    .ExecuteCommandAsync("pipeline", "run-smoke-pipeline", timeout.Token);
                Assert.True(command.Success, command.Message);
                using var pipelineService = app.CreateHttpClient("pipeline", "http");
                var pipelineJob = (await pipelineService.GetFromJsonAsync<JsonElement>("/api/pipeline/jobs", timeout.Token)).EnumerateArray().Single();
                AssertSucceeded(await WaitForJobAsync(pipelineService, $"/api/pipeline/jobs/{pipelineJob.GetProperty("id").GetString()}", timeout.Token));
                var curationJobs = await curation.GetFromJsonAsync<JsonElement>("/api/curation/jobs", timeout.Token);
                Assert.Equal(2, curationJobs.GetArrayLength());
                var pretrainingJobs = await pretraining.GetFromJsonAsync<JsonElement>("/api/pretraining/jobs", timeout.Token);
                Assert.Equal(2, pretrainingJobs.GetArrayLength());
                using var alignment = app.CreateHttpClient("alignment", "http");
                Assert.Equal(1, (await alignment.GetFromJsonAsync<JsonElement>("/api/alignment/jobs", timeout.Token)).GetArrayLength());
                Assert.Equal(2, (await quantization.GetFromJsonAsync<JsonElement>("/api/quantization/jobs", timeout.Token)).GetArrayLength());
                Assert.Equal(3, (await evaluation.GetFromJsonAsync<JsonElement>("/api/evaluation/jobs", timeout.Token)).GetArrayLength());
                var pipelineReport = await pipelineService.GetStringAsync($"/api/pipeline/jobs/{pipelineJob.GetProperty("id").GetString()}/report?format=md", timeout.Token);
                foreach (var step in new[] { "1-curate", "2-pretrain", "3-align", "4-quantize", "5-evaluate-base", "6-evaluate-aligned", "7-evaluate-fp8" })
                    Assert.Contains(step, pipelineReport);
                var evalResults = await registry.GetFromJsonAsync<JsonElement>("/api/eval-results", timeout.Token);
                Assert.True(evalResults.GetArrayLength() > 0);

                // One trace: the pipeline job's, which every stage job it submitted continues (the dashboard shows it whole).
                string pipelineTrace = (await pipelineService.GetFromJsonAsync<JsonElement>($"/api/pipeline/jobs/{pipelineJob.GetProperty("id").GetString()}", timeout.Token))
                    .GetProperty("traceId").GetString()!;
                Assert.Matches("^[0-9a-f]{32}$", pipelineTrace);
                foreach (var (stage, client, count) in new[] { ("curation", curation, 1), ("pretraining", pretraining, 1), ("alignment", alignment, 1), ("quantization", quantization, 1), ("evaluation", evaluation, 3) })
                {
                    var stageJobs = await client.GetFromJsonAsync<JsonElement>($"/api/{stage}/jobs", timeout.Token);
                    Assert.Equal(count, stageJobs.EnumerateArray().Count(j => j.GetProperty("traceId").GetString() == pipelineTrace));
                }

                // The web UI's pipelines page goes through the web role: it lists the job, and its "Run pipeline" submits
                // one that the pipeline service runs (here in the finished pipeline's folder, so it resumes with nothing left).
                var webPipelineJobs = await web.GetFromJsonAsync<JsonElement>("/api/pipeline/jobs", timeout.Token);
                Assert.Equal("Succeeded", webPipelineJobs.EnumerateArray().Single().GetProperty("state").GetString());
                string pipelineFolder = webPipelineJobs[0].GetProperty("result").GetProperty("output").GetString()!;
                var resubmit = await web.PostAsJsonAsync("/api/pipeline/jobs", new { preset = "smoke", output = pipelineFolder }, timeout.Token);
                Assert.Equal(HttpStatusCode.Accepted, resubmit.StatusCode);
                string resubmitted = (await resubmit.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("status").GetString()!;
                AssertSucceeded(await WaitForJobAsync(web, resubmitted, timeout.Token));
                Assert.Contains("7-evaluate-fp8", await web.GetStringAsync($"{resubmitted}/report?format=md", timeout.Token));
            }

            // Stopping the application stops PostgreSQL with it: nothing may keep running on our data folder.
            await WaitUntilAsync(() => PostgresProcessesOn(dataDirectory).Count == 0, TimeSpan.FromSeconds(30));
            Assert.Empty(PostgresProcessesOn(dataDirectory));
        }
        finally
        {
            foreach (int pid in PostgresProcessesOn(dataDirectory)) Process.GetProcessById(pid).Kill(entireProcessTree: true);
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The ids of postmaster processes whose data folder is under <paramref name="dataDirectory"/>.</summary>
    private static List<int> PostgresProcessesOn(string dataDirectory)
    {
        var pids = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid)) continue;
            try
            {
                string commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains("postgres", StringComparison.Ordinal) && commandLine.Contains(dataDirectory, StringComparison.Ordinal))
                    pids.Add(pid);
            }
            catch (IOException) { } // the process ended while we looked
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    /// <summary>
    /// Polls a job's status until it ends and returns its final state: a long job outlasts an HTTP client's timeout
    /// on one event stream.
    /// </summary>
    private static void AssertSucceeded(string state) => Assert.True(state == "Succeeded", state);

    private static async Task<string> WaitForJobAsync(HttpClient client, string status, CancellationToken cancellation)
    {
        while (true)
        {
            var job = await client.GetFromJsonAsync<JsonElement>(status, cancellation);
            string state = job.GetProperty("state").GetString()!;
            if (state is "Succeeded" or "Failed" or "Cancelled")
                return state == "Failed" ? $"Failed: {job.GetProperty("error").GetString()}" : state;
            await Task.Delay(500, cancellation);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(200);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Llama.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (Llama.sln) is not above the test binaries");
    }

    /// <summary>Gathers the console output of the named resources while the test runs.</summary>
    private static System.Text.StringBuilder CollectLogs(DistributedApplication app, string[] resources, CancellationToken cancellation)
    {
        var text = new System.Text.StringBuilder();
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var resource in resources)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in loggers.WatchAsync(resource).WithCancellation(cancellation))
                        lock (text) foreach (var line in batch) text.Append(resource).Append(": ").AppendLine(line.Content);
                }
                catch (OperationCanceledException) { }
            }, cancellation);
        }
        return text;
    }
}
