using System.Text.Json;
using Llama.Cli.Commands;
using Llama.Platform;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace Llama.Cli.Pipeline.Services;

/// <summary>The body of <c>POST /api/pipeline/jobs</c>: what <c>llama pipeline</c> takes, as JSON.</summary>
/// <param name="Output">The pipeline's folder (default: a folder per job under the service's home); reuse one to resume.</param>
/// <param name="Data">The data folder with corpus/ and heldout/ (default: the repository's data/).</param>
public sealed record PipelineJobRequest(string? Preset, string? Output, string? Data, string Device = "cpu")
{
    public const string Kind = "pipeline.run";

    public static string? Validate(JsonElement body)
    {
        PipelineJobRequest? request;
        try { request = body.Deserialize<PipelineJobRequest>(JsonSerializerOptions.Web); }
        catch (JsonException e) { return $"invalid pipeline request: {e.Message}"; }
        if (request is null) return "the body must be a JSON object";
        if (!PipelinePreset.All.ContainsKey(request.Preset ?? "smoke")) return $"unknown preset '{request.Preset}'; known presets: {string.Join(", ", PipelinePreset.All.Keys)}";
        if (request.Data is { } data && !Directory.Exists(Path.Combine(data, "corpus"))) return $"'data': {data} holds no corpus/ folder";
        return null;
    }
}

/// <summary>
/// Runs a pipeline job in the pipeline service: every step as a job of its stage's service. A retried job (the
/// pipeline service died) finds its state in its folder and carries on from there.
/// </summary>
public sealed class PipelineJobHandler(PlatformSettings settings, IConfiguration configuration) : IJobHandler
{
    public async Task<string?> RunAsync(JobContext context)
    {
        var request = context.Payload<PipelineJobRequest>(JsonSerializerOptions.Web);
        var preset = PipelinePreset.Get(request.Preset ?? "smoke");
        string folder = Path.GetFullPath(request.Output ?? Path.Combine(settings.Home, "pipeline", context.JobId.ToString("N")));
        var state = PipelineState.LoadOrCreate(folder, preset.Name);
        int total = PipelineRunner.Steps.Count;
        var progress = new Progress<(double Fraction, string Status)>(p =>
        {
            int done = state.Steps.Count;
            string step = done < total ? PipelineRunner.Steps[done].Name : "report";
            context.Progress.Report(new JobProgress((done + Math.Clamp(p.Fraction, 0, 1)) / total, $"{step}: {p.Status}"));
        });
        var pipelineContext = new PipelineContext(folder, preset, request.Data ?? DemoData.Find(), settings, state, request.Device, progress);
        var outcome = await new ServicePipeline(configuration).RunAsync(pipelineContext, context.Cancellation);
        var last = outcome.State.Steps[PipelineRunner.Steps[^1].Name];
        Guid? primary = last.Outputs.Where(o => o.Key.EndsWith("-artifact", StringComparison.Ordinal)).Select(o => (Guid?)Guid.Parse(o.Value)).LastOrDefault();
        return JsonSerializer.Serialize(new StageJobResult(null, folder, primary), JsonSerializerOptions.Web);
    }
}

/// <summary>The pipeline service's API: the shared stage job API plus the pipeline's report.</summary>
public static class PipelineApi
{
    public static RouteGroupBuilder MapPipelineApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapStageJobApi("pipeline", PipelineJobRequest.Kind, PipelineJobRequest.Validate);
        jobs.MapStageReport("pipeline", [("md", "report.md", "text/markdown"), ("json", PipelineState.FileName, "application/json")]);
        return jobs;
    }
}
