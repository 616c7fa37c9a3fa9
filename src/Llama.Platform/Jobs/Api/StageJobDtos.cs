using System.Text.Json;
using Llama.Platform.Metadata;

namespace Llama.Platform.Jobs.Api;

/// <summary>
/// A stage job as the API shows it: state, progress, and the result or error. <see cref="TraceId"/> is the trace its
/// work belongs to (the one its submitter was in), to look up in the dashboard's traces.
/// </summary>
public sealed record StageJobDto(
    Guid Id, string Kind, string State, double Progress, string? Message, int Attempts, string? Error,
    JsonElement? Request, JsonElement? Result, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, string? TraceId = null)
{
    public static StageJobDto From(Job j) => new(
        j.Id, j.Kind, j.State.ToString(), j.Progress, j.ProgressMessage, j.Attempts, j.Error,
        Parse(j.PayloadJson), Parse(j.ResultJson), j.CreatedAt, j.StartedAt, j.FinishedAt, JobTracing.TraceIdOf(j));

    private static JsonElement? Parse(string? json) => string.IsNullOrWhiteSpace(json) ? null : JsonDocument.Parse(json).RootElement.Clone();
}

/// <summary>The answer to a submission: where to follow the job.</summary>
public sealed record SubmittedJobDto(Guid Id, string Status, string Events);

/// <summary>
/// What a stage's job handler returns as the job result: the run it recorded and the folder it wrote, so the API
/// can list the run's artifacts and serve its report.
/// </summary>
public sealed record StageJobResult(Guid? RunId, string? Output, Guid? PrimaryArtifactId);
