using Llama.Core;
using System.Text.Json;
using Llama.Platform;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Llama.Pretraining.Training;

namespace Llama.Pretraining.Service;

/// <summary>The body of <c>POST /api/pretraining/jobs</c>: what <c>llama pretrain</c> takes, as JSON.</summary>
public sealed record PretrainingJobRequest(string? Data, string? Preset, PretrainConfig? Config, string? Output, string? Name, bool Resume = false, string Device = "cpu")
{
    public const string Kind = "pretraining.run";

    public static string? Validate(JsonElement body)
    {
        PretrainingJobRequest? request;
        try { request = body.Deserialize<PretrainingJobRequest>(PretrainConfig.Json); }
        catch (JsonException e) { return $"invalid pretraining request: {e.Message}"; }
        if (string.IsNullOrWhiteSpace(request?.Data)) return "'data' must name a curated folder or a dataset artifact id";
        try
        {
            (request.Config ?? PretrainPresets.Get(request.Preset ?? "tiny")).Validate("config");
        }
        catch (ArgumentException e) { return e.Message; }
        catch (Llama.Core.Training.ScheduleConfigException e) { return e.Message; }
        return null;
    }
}

/// <summary>Runs a pretraining job in the pretraining service's worker: the same <see cref="PretrainRunner"/> as the CLI.</summary>
public sealed class PretrainingJobHandler(PlatformSettings settings) : IJobHandler
{
    public async Task<string?> RunAsync(JobContext context)
    {
        var request = context.Payload<PretrainingJobRequest>(PretrainConfig.Json);
        var config = request.Config ?? PretrainPresets.Get(request.Preset ?? "tiny");
        string output = request.Output ?? Path.Combine(settings.Home, "pretraining", context.JobId.ToString("N"));
        var progress = new SynchronousProgress<TrainingStep>(s => context.Progress.Report(new JobProgress(
            s.Step / (double)s.TotalSteps, $"step {s.Step}/{s.TotalSteps}, loss {s.Loss:0.000}, {s.TokensPerSecond:N0} tokens/s")));
        // A retried job (its worker died) continues from its own latest checkpoint.
        bool resume = request.Resume || (context.Attempt > 1 && Directory.Exists(Path.Combine(output, "checkpoints")));
        var outcome = await PretrainRunner.RunAsync(new PretrainRequest(request.Data!, config, output, resume, request.Name, request.Device),
            settings, progress, context.Cancellation);
        return JsonSerializer.Serialize(new StageJobResult(outcome.RunId, Path.GetFullPath(output), outcome.ModelArtifactId), JsonSerializerOptions.Web);
    }
}
