using Llama.Core;
using System.Text.Json;
using Llama.Alignment.Rounds;
using Llama.Platform;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;

namespace Llama.Alignment.Service;

/// <summary>The body of <c>POST /api/alignment/jobs</c>: what <c>llama align</c> takes, as JSON.</summary>
public sealed record AlignmentJobRequest(string? Model, AlignConfig? Config, string? Output, string? Name, string Device = "cpu")
{
    public const string Kind = "alignment.run";

    public static string? Validate(JsonElement body)
    {
        AlignmentJobRequest? request;
        try { request = body.Deserialize<AlignmentJobRequest>(AlignConfig.Json); }
        catch (JsonException e) { return $"invalid alignment request: {e.Message}"; }
        if (string.IsNullOrWhiteSpace(request?.Model)) return "'model' must name a pretrained model directory";
        try { (request.Config ?? new AlignConfig()).Validate(); }
        catch (ArgumentException e) { return e.Message; }
        return null;
    }
}

/// <summary>Runs an alignment job in the alignment service's worker: the same <see cref="AlignRunner"/> as the CLI.</summary>
public sealed class AlignmentJobHandler(PlatformSettings settings) : IJobHandler
{
    public async Task<string?> RunAsync(JobContext context)
    {
        var request = context.Payload<AlignmentJobRequest>(AlignConfig.Json);
        string output = request.Output ?? Path.Combine(settings.Home, "alignment", context.JobId.ToString("N"));
        var progress = new SynchronousProgress<AlignProgress>(p => context.Progress.Report(new JobProgress(
            p.Total > 0 ? p.Step / (double)p.Total : 0, $"{p.Stage} {p.Step}/{p.Total}: {p.Detail}")));
        var outcome = await AlignRunner.RunAsync(new AlignRequest(request.Model!, request.Config ?? new AlignConfig(), output, request.Device, request.Name),
            settings, progress, context.Cancellation);
        return JsonSerializer.Serialize(new StageJobResult(null, Path.GetFullPath(output), outcome.FinalModelArtifactId), JsonSerializerOptions.Web);
    }
}
