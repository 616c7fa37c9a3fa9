using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Llama.Platform;
using Llama.Platform.Hosting;
using Llama.Platform.Metadata;
using Llama.Platform.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llama.AppHost.Tests.Registry;

/// <summary>
/// The registry API over a seeded metadata database (SQLite in a temporary folder), served by Kestrel on a free
/// loopback port the way <c>llama service --role registry</c> serves it.
/// </summary>
public sealed class RegistryApiTests : IAsyncLifetime
{
    private InProcessService _service = null!;
    private HttpClient _http = null!;
    private Seed _seed = null!;

    private sealed record Seed(Guid Dataset, Guid Shard0, Guid Shard1, Guid Checkpoint, Guid Tokenizer, Guid Run, Guid OtherRun, Guid DatasetId);

    public async Task InitializeAsync()
    {
        _service = await InProcessService.StartAsync((_, _) => { }, app => app.MapRegistryApi(), async store => _seed = await SeedAsync(store));
        _http = _service.Http;
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Artifacts_filter_by_kind_newest_first_and_honour_the_limit()
    {
        var shards = await GetJsonAsync("/api/artifacts?kind=shard");
        Assert.Equal([_seed.Shard1, _seed.Shard0], shards.EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));

        var newest = await GetJsonAsync("/api/artifacts?limit=1");
        Assert.Equal(_seed.Tokenizer, Assert.Single(newest.EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task An_artifact_comes_back_with_its_metadata_as_json()
    {
        var checkpoint = await GetJsonAsync($"/api/artifacts/{_seed.Checkpoint}");
        Assert.Equal("checkpoint", checkpoint.GetProperty("kind").GetString());
        Assert.Equal(8, checkpoint.GetProperty("metadata").GetProperty("layers").GetInt32());
        Assert.Equal(_seed.Run, checkpoint.GetProperty("producedByRunId").GetGuid());
    }

    [Theory]
    [InlineData("/api/artifacts?limit=0")]
    [InlineData("/api/artifacts?limit=100000")]
    [InlineData("/api/artifacts/12345")]
    [InlineData("/api/runs?status=Exploded")]
    [InlineData("/api/runs/not-a-guid/metrics")]
    [InlineData("/api/checkpoints?runId=nope")]
    [InlineData("/api/eval-results?modelArtifactId=nope")]
    [InlineData("/api/artifacts/nope/lineage")]
    public async Task Malformed_requests_are_400_problem_details(string url)
    {
        var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("/api/artifacts/{0}")]
    [InlineData("/api/runs/{0}")]
    [InlineData("/api/runs/{0}/metrics")]
    [InlineData("/api/datasets/{0}")]
    [InlineData("/api/artifacts/{0}/lineage")]
    public async Task Unknown_ids_are_404_problem_details(string template)
    {
        var response = await _http.GetAsync(string.Format(template, Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Lineage_walks_up_to_the_inputs_and_down_to_what_was_made()
    {
        var up = await GetJsonAsync($"/api/artifacts/{_seed.Checkpoint}/lineage");
        var upIds = up.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("artifact").GetProperty("id").GetGuid()).ToHashSet();
        Assert.Equal(new HashSet<Guid> { _seed.Checkpoint, _seed.Dataset, _seed.Tokenizer }, upIds);
        Assert.Equal(2, up.GetProperty("edges").GetArrayLength());

        var down = await GetJsonAsync($"/api/artifacts/{_seed.Dataset}/lineage?direction=down&depth=1");
        var downIds = down.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("artifact").GetProperty("id").GetGuid()).ToHashSet();
        Assert.Equal(new HashSet<Guid> { _seed.Dataset, _seed.Checkpoint }, downIds);

        var sideways = await _http.GetAsync($"/api/artifacts/{_seed.Dataset}/lineage?direction=sideways");
        Assert.Equal(HttpStatusCode.BadRequest, sideways.StatusCode);
    }

    [Fact]
    public async Task Runs_filter_by_kind_and_status_and_a_run_lists_its_config_and_inputs()
    {
        var succeeded = await GetJsonAsync("/api/runs?kind=pretraining&status=succeeded");
        Assert.Equal(_seed.Run, Assert.Single(succeeded.EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(2, (await GetJsonAsync("/api/runs")).GetArrayLength());

        var run = await GetJsonAsync($"/api/runs/{_seed.Run}");
        Assert.Equal("Succeeded", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(3e-4, run.GetProperty("config").GetProperty("lr").GetDouble());
        var input = Assert.Single(run.GetProperty("inputs").EnumerateArray());
        Assert.Equal(_seed.Dataset, input.GetProperty("artifactId").GetGuid());
        Assert.Equal("dataset", input.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Metrics_come_by_name_then_step_and_filter_by_name()
    {
        var all = await GetJsonAsync($"/api/runs/{_seed.Run}/metrics");
        Assert.Equal(["loss@1", "loss@2", "lr@1"],
            all.EnumerateArray().Select(m => $"{m.GetProperty("name").GetString()}@{m.GetProperty("step").GetInt64()}"));

        var loss = await GetJsonAsync($"/api/runs/{_seed.Run}/metrics?name=loss");
        Assert.Equal([4.5, 3.25], loss.EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task A_dataset_lists_its_shards_in_order()
    {
        var listed = Assert.Single((await GetJsonAsync("/api/datasets")).EnumerateArray());
        Assert.Equal(2, listed.GetProperty("shardCount").GetInt32());

        var dataset = await GetJsonAsync($"/api/datasets/{_seed.DatasetId}");
        Assert.Equal("tiny-corpus", dataset.GetProperty("dataset").GetProperty("name").GetString());
        Assert.Equal([_seed.Shard0, _seed.Shard1], dataset.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("artifactId").GetGuid()));
    }

    [Fact]
    public async Task Checkpoints_and_eval_results_filter_by_run_and_model()
    {
        var checkpoints = await GetJsonAsync($"/api/checkpoints?runId={_seed.Run}");
        Assert.Equal(200, Assert.Single(checkpoints.EnumerateArray()).GetProperty("step").GetInt64());
        Assert.Equal(0, (await GetJsonAsync($"/api/checkpoints?runId={_seed.OtherRun}")).GetArrayLength());

        var results = await GetJsonAsync($"/api/eval-results?modelArtifactId={_seed.Checkpoint}");
        Assert.Equal(["arithmetic", "capitals"], results.EnumerateArray().Select(r => r.GetProperty("task").GetString()));
        Assert.Equal(0, (await GetJsonAsync($"/api/eval-results?modelArtifactId={_seed.Tokenizer}")).GetArrayLength());
    }

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        var response = await _http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<Seed> SeedAsync(MetadataStore store)
    {
        var t0 = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
        Artifact NewArtifact(string kind, string name, int minute, string? metadata = null, Guid? run = null) => new()
        {
            Kind = kind, Name = name, Uri = $"objects/{name}", Sha256 = new string('a', 64), SizeBytes = 10 * minute,
            MetadataJson = metadata, ProducedByRunId = run, CreatedAt = t0.AddMinutes(minute),
        };

        await using var db = store.CreateContext();
        var dataset = NewArtifact("dataset", "tiny-corpus", 1);
        var shard0 = NewArtifact("shard", "tiny-corpus/0", 2);
        var shard1 = NewArtifact("shard", "tiny-corpus/1", 3);
        var run = new Run { Kind = "pretraining", Name = "tiny", Status = RunStatus.Succeeded, ConfigJson = """{"lr":3e-4}""", CreatedAt = t0.AddMinutes(4) };
        var otherRun = new Run { Kind = "pretraining", Name = "crashed", Status = RunStatus.Failed, CreatedAt = t0.AddMinutes(5) };
        var checkpoint = NewArtifact("checkpoint", "tiny/step-200", 6, """{"layers":8}""", run.Id);
        var tokenizer = NewArtifact("tokenizer", "bpe-8k", 7);
        var datasetRow = new Dataset { Name = "tiny-corpus", ArtifactId = dataset.Id, Documents = 10, Tokens = 1000, CreatedAt = t0 };

        db.Artifacts.AddRange(dataset, shard0, shard1, checkpoint, tokenizer);
        db.Runs.AddRange(run, otherRun);
        db.RunInputs.Add(new RunInput { RunId = run.Id, ArtifactId = dataset.Id, Role = "dataset" });
        db.ArtifactEdges.AddRange(
            new ArtifactEdge { ParentId = dataset.Id, ChildId = checkpoint.Id, Relation = "input" },
            new ArtifactEdge { ParentId = tokenizer.Id, ChildId = checkpoint.Id, Relation = "tokenizer" });
        db.Datasets.Add(datasetRow);
        // Shards saved out of order: the API must order them by index.
        db.Shards.AddRange(
            new Shard { DatasetId = datasetRow.Id, Index = 1, ArtifactId = shard1.Id, Rows = 5, Tokens = 500 },
            new Shard { DatasetId = datasetRow.Id, Index = 0, ArtifactId = shard0.Id, Rows = 5, Tokens = 500 });
        db.Metrics.AddRange(
            new Metric { RunId = run.Id, Name = "lr", Step = 1, Value = 3e-4 },
            new Metric { RunId = run.Id, Name = "loss", Step = 2, Value = 3.25 },
            new Metric { RunId = run.Id, Name = "loss", Step = 1, Value = 4.5 });
        db.Checkpoints.Add(new Checkpoint { RunId = run.Id, ArtifactId = checkpoint.Id, Step = 200, TokensSeen = 51200, Loss = 3.25 });
        db.EvalResults.AddRange(
            new EvalResult { ModelArtifactId = checkpoint.Id, Task = "capitals", MetricName = "accuracy", Value = 0.25, Samples = 40 },
            new EvalResult { ModelArtifactId = checkpoint.Id, Task = "arithmetic", MetricName = "accuracy", Value = 0.5, Samples = 40 });
        await db.SaveChangesAsync();
        return new Seed(dataset.Id, shard0.Id, shard1.Id, checkpoint.Id, tokenizer.Id, run.Id, otherRun.Id, datasetRow.Id);
    }
}
