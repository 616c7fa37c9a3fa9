using System.Net.Http.Json;
using System.Text.Json;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Hosting;
using Llama.Platform.Metadata;
using Llama.Platform.Storage;
using Llama.Quantization.Tests.Quality;
using Llama.Quantization.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llama.Quantization.Tests.Service;

/// <summary>
/// The quantization role as <c>llama service --role quantization</c> hosts it (Kestrel, SQLite, the job worker): a job
/// names a model artifact by id prefix, the worker fetches it from the object store, quantizes, and the result is a
/// model artifact made from it, with the report served by the API.
/// </summary>
public sealed class QuantizationServiceTests : IAsyncLifetime
{
    private readonly ScratchFolder _scratch = new();
    private PlatformSettings _settings = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _settings = PlatformSettings.Embedded(_scratch.Combine("home"));
        await new MetadataStore(_settings.Metadata).MigrateAsync();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddLlamaPlatform(_settings);
        builder.Services.AddProblemDetails();
        builder.Services.AddStageJobWorker("quantization", jobs => jobs.Add(QuantizationJobRequest.Kind, new QuantizationJobHandler(_settings)),
            o => o with { PollInterval = TimeSpan.FromMilliseconds(100) });
        _app = builder.Build();
        _app.UseExceptionHandler();
        _app.MapQuantizationApi();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()) };
    }

    [Fact]
    public async Task A_job_quantizes_a_model_artifact_into_a_model_made_from_it()
    {
        var source = await PublishSourceModelAsync();
        var request = new
        {
            model = source.Id.ToString("N")[..8],
            output = _scratch.Combine("fp8"),
            config = new QuantizeConfig { Quality = new Llama.Quantization.QualityCheckConfig { Text = SmallTrainedModel.HeldOutText, MaxTokens = 256, Window = 128, Prompts = 1, ContinuationTokens = 4 } },
        };
        var submitted = await (await _http.PostAsJsonAsync("/api/quantization/jobs", request, QuantizeConfig.Json)).Content.ReadFromJsonAsync<JsonElement>();
        var job = await WaitForEndAsync(submitted.GetProperty("status").GetString()!);
        Assert.True(job.GetProperty("state").GetString() == "Succeeded", job.ToString());

        var artifactId = Guid.Parse(job.GetProperty("result").GetProperty("primaryArtifactId").GetString()!);
        var registry = new ArtifactRegistry(new MetadataStore(_settings.Metadata));
        var parents = await registry.ParentsAsync(artifactId);
        Assert.Equal(source.Id, Assert.Single(parents).Artifact.Id);
        string report = await _http.GetStringAsync($"{submitted.GetProperty("status").GetString()}/report?format=md");
        Assert.Contains("# FP8 quantization report", report);
    }

    [Fact]
    public async Task A_request_with_a_bad_config_is_refused_before_it_is_queued()
    {
        var response = await _http.PostAsJsonAsync("/api/quantization/jobs",
            new { model = "abc", config = new { skipFirstLayers = -1 } });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("skipFirstLayers", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The small trained model's files in the object store as a <c>model</c> artifact, as pretraining publishes one.</summary>
    private async Task<Artifact> PublishSourceModelAsync()
    {
        var objects = _settings.CreateObjectStore();
        long bytes = 0;
        foreach (var path in Directory.EnumerateFiles(SmallTrainedModel.Directory))
            bytes += (await objects.PutFileAsync("models/source/" + Path.GetFileName(path), path)).SizeBytes;
        return await new ArtifactRegistry(new MetadataStore(_settings.Metadata))
            .RegisterAsync(new NewArtifact("model", "source", "models/source/", bytes, new string('a', 64)));
    }

    private async Task<JsonElement> WaitForEndAsync(string status)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(3); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var job = await _http.GetFromJsonAsync<JsonElement>(status);
            if (job.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled") return job;
        }
        throw new TimeoutException($"{status} did not finish in 3 minutes");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _scratch.Dispose();
    }
}
