using System.Text.Json;
using Llama.Platform;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Llama.Quantization.Running;

namespace Llama.Quantization.Service;

/// <summary>The body of <c>POST /api/quantization/jobs</c>: what <c>llama quantize</c> takes, as JSON.</summary>
public sealed record QuantizationJobRequest(string? Model, string? Output, QuantizeConfig? Config, string? Name, string Device = "cpu")
{
    public const string Kind = "quantization.run";

    public static string? Validate(JsonElement body)
    {
        QuantizationJobRequest? request;
        try { request = body.Deserialize<QuantizationJobRequest>(QuantizeConfig.Json); }
        catch (JsonException e) { return $"invalid quantization request: {e.Message}"; }
        if (string.IsNullOrWhiteSpace(request?.Model)) return "'model' must name a Hugging Face model directory or a model artifact id";
        try { (request.Config ?? new QuantizeConfig()).Validate("config"); }
        catch (ArgumentException e) { return e.Message; }
        return null;
    }
}

/// <summary>Runs a quantization job in the quantization service's worker: the same <see cref="QuantizeRunner"/> as the CLI.</summary>
public sealed class QuantizationJobHandler(PlatformSettings settings) : IJobHandler
{
    public async Task<string?> RunAsync(JobContext context)
    {
        var request = context.Payload<QuantizationJobRequest>(QuantizeConfig.Json);
        string output = request.Output ?? Path.Combine(settings.Home, "quantization", context.JobId.ToString("N"));
        var progress = new SynchronousProgress(p => context.Progress.Report(new JobProgress(p.Fraction, p.Message)));
        var outcome = await QuantizeRunner.RunAsync(new QuantizeRequest(request.Model!, output, request.Config ?? new QuantizeConfig(), request.Device, request.Name),
            settings, progress, context.Cancellation);
        return JsonSerializer.Serialize(new StageJobResult(outcome.RunId, Path.GetFullPath(output), outcome.ModelArtifactId), JsonSerializerOptions.Web);
    }
}
