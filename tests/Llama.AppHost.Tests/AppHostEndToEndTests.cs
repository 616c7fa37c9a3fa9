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
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

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
                var logs = CollectLogs(app, ["postgres", "registry", "curation", "pretraining"], timeout.Token);
                await app.StartAsync(timeout.Token);
                try
                {
                    foreach (var resource in new[] { "postgres", "registry", "curation", "pretraining" })
                        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                }
                catch (DistributedApplicationException e)
                {
                    // A resource that fails to start says why only in its own log: put it in the failure message.
                    throw new Xunit.Sdk.XunitException($"{e.Message}\n--- resource logs ---\n{logs}");
                }

                using var registry = app.CreateHttpClient("registry", "http");

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
                string trainEvents = await pretraining.GetStringAsync(trainJob.GetProperty("events").GetString(), timeout.Token);
                Assert.Contains("\"state\":\"Succeeded\"", trainEvents.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1]);
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
