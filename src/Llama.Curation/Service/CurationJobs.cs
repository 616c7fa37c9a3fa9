using System.Text.Json;
using Llama.Curation.Pipeline;
using Llama.Platform;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;

namespace Llama.Curation.Service;

/// <summary>The body of <c>POST /api/curation/jobs</c>: what <c>llama curate</c> takes, as JSON.</summary>
public sealed record CurationJobRequest(IReadOnlyList<string>? Inputs, string? Output, CurationConfig? Config, string? Name)
{
    public const string Kind = "curation.run";

    /// <summary>A 400 message for a body that cannot become a run, or null.</summary>
    public static string? Validate(JsonElement body)
    {
        CurationJobRequest? request;
        try { request = body.Deserialize<CurationJobRequest>(CurationConfig.Json); }
        catch (Exception e) when (e is JsonException or NotSupportedException) { return $"invalid curation request: {e.Message}"; }
        if (request?.Inputs is not { Count: > 0 } inputs) return "'inputs' must list at least one file or folder (paths on the service's machine)";
        if (inputs.Any(string.IsNullOrWhiteSpace)) return "'inputs' must not contain empty paths";
        try { request.Config?.Validate("config"); }
        catch (ArgumentException e) { return e.Message; }
        return null;
    }
}

/// <summary>Runs a curation job in the curation service's worker: the same <see cref="CurationRunner"/> as the CLI.</summary>
public sealed class CurationJobHandler(PlatformSettings settings) : IJobHandler
{
    public async Task<string?> RunAsync(JobContext context)
    {
        var request = context.Payload<CurationJobRequest>(CurationConfig.Json);
        string output = request.Output ?? Path.Combine(settings.Home, "curation", context.JobId.ToString("N"));
        var curation = new CurationRequest(request.Inputs ?? [], output, request.Config ?? new CurationConfig(), request.Name);
        var progress = new Progress<CurationProgress>(p => context.Progress.Report(new JobProgress(p.Fraction, p.ToString())));
        var outcome = await CurationRunner.RunAsync(curation, settings, progress, context.Cancellation);
        return JsonSerializer.Serialize(new StageJobResult(outcome.RunId, Path.GetFullPath(output), outcome.DatasetArtifactId), JsonSerializerOptions.Web);
    }
}
