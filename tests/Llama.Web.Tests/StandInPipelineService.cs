using System.Text.Json;
using Llama.Platform;
using Llama.Platform.Hosting;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Llama.Platform.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Llama.Web.Tests;

/// <summary>
/// The pipeline service's API as <c>llama service --role pipeline</c> maps it (the shared job API over a real queue and
/// worker, plus the report endpoint), with a stand-in for the pipeline's work: the real one trains models through five
/// services and is run end to end by the AppHost test. The stand-in walks the same seven steps, stores progress at
/// each, holds at <see cref="HoldStep"/> until the test calls <see cref="Release"/> (so a page can be seen following a running
/// job), then writes <c>report.md</c> and <c>pipeline.json</c> as the real pipeline does.
/// </summary>
internal sealed class StandInPipelineService : IAsyncDisposable
{
    public static readonly string[] Steps = ["1-curate", "2-pretrain", "3-align", "4-quantize", "5-evaluate-base", "6-evaluate-aligned", "7-evaluate-fp8"];
    public const string HoldStep = "2-pretrain";
    public const string ReportHeading = "# Pipeline report (stand-in)";

    private readonly WebApplication _app;
    private readonly string _folder;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource> _holds = new();

    private StandInPipelineService(WebApplication app, Uri address, string folder)
    {
        _app = app;
        Address = address;
        _folder = folder;
    }

    public Uri Address { get; }

    /// <summary>The model artifact id the stand-in's pretrain step reports.</summary>
    public Guid ModelArtifact { get; } = Guid.NewGuid();

    public static async Task<StandInPipelineService> StartAsync()
    {
        string folder = Path.Combine(Path.GetTempPath(), "llama-pipeline-" + Guid.NewGuid().ToString("N")[..12]);
        var settings = PlatformSettings.Embedded(folder);
        await new MetadataStore(settings.Metadata).MigrateAsync();
        StandInPipelineService? service = null;
        var (app, address) = await LoopbackServer.StartAsync(builder =>
        {
            builder.Services.AddLlamaPlatform(settings);
            builder.Services.AddProblemDetails();
            builder.Services.AddStageJobWorker("pipeline", jobs => jobs.Add("pipeline.run", context => service!.RunAsync(context)),
                o => o with { PollInterval = TimeSpan.FromMilliseconds(100) });
        }, app =>
        {
            app.UseExceptionHandler();
            var jobs = app.MapStageJobApi("pipeline", "pipeline.run", Validate);
            jobs.MapStageReport("pipeline", [("md", "report.md", "text/markdown"), ("json", "pipeline.json", "application/json")]);
        });
        service = new StandInPipelineService(app, address, folder);
        return service;
    }

    /// <summary>Lets job <paramref name="id"/> carry on past <see cref="HoldStep"/> (now, or when it gets there).</summary>
    public void Release(Guid id) => Hold(id).TrySetResult();

    private TaskCompletionSource Hold(Guid id) => _holds.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    private static string? Validate(JsonElement body) =>
        body.TryGetProperty("preset", out var preset) && preset.GetString() is "smoke" or "tiny" ? null : "unknown preset; known presets: smoke, tiny";

    private async Task<string?> RunAsync(JobContext context)
    {
        string output = Path.Combine(_folder, "runs", context.JobId.ToString("N"));
        Directory.CreateDirectory(output);
        var steps = new Dictionary<string, object>();
        for (int i = 0; i < Steps.Length; i++)
        {
            await context.ReportProgressAsync((double)i / Steps.Length, $"{Steps[i]}: running");
            if (Steps[i] == HoldStep) await Hold(context.JobId).Task.WaitAsync(context.Cancellation);
            var outputs = Steps[i] == HoldStep ? new Dictionary<string, string> { ["model"] = "model", ["model-artifact"] = ModelArtifact.ToString() } : [];
            steps[Steps[i]] = new { startedAt = DateTime.UtcNow, finishedAt = DateTime.UtcNow, outputs, scores = new Dictionary<string, double> { ["step"] = i + 1 }, summary = Array.Empty<string>() };
        }
        string preset = context.Payload<JsonElement>().GetProperty("preset").GetString()!;
        await File.WriteAllTextAsync(Path.Combine(output, "pipeline.json"), JsonSerializer.Serialize(new { preset, steps }, JsonSerializerOptions.Web));
        await File.WriteAllTextAsync(Path.Combine(output, "report.md"), $"{ReportHeading}\n\n{string.Join("\n", Steps.Select(s => $"- {s}"))}\n");
        return JsonSerializer.Serialize(new StageJobResult(null, output, ModelArtifact), JsonSerializerOptions.Web);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hold in _holds.Values) hold.TrySetResult();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
