using Llama.Platform.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Llama.Platform.Jobs.Api;

/// <summary>
/// <c>GET /api/STAGE/jobs/{id}/report?format=...</c>: a file the finished run wrote into its output folder (the
/// folder is in the job's result), e.g. report.json, report.md or a chart. 409 while the job has not succeeded,
/// 410 when the file is gone.
/// </summary>
public static class StageReportEndpoint
{
    /// <param name="formats">format name → (file in the output folder, content type); the first is the default.</param>
    public static RouteHandlerBuilder MapStageReport(this RouteGroupBuilder jobs, string stage, IReadOnlyList<(string Format, string File, string ContentType)> formats) =>
        jobs.MapGet("/{id:guid}/report", async Task<Results<ContentHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> (JobQueue queue, Guid id, string? format, CancellationToken cancellation) =>
        {
            if (await queue.GetAsync(id, cancellation) is not { } job || job.Queue != stage)
                return TypedResults.Problem(title: "Not found", detail: $"no {stage} job with id {id}", statusCode: StatusCodes.Status404NotFound);
            var chosen = format is null ? formats[0] : formats.FirstOrDefault(f => string.Equals(f.Format, format, StringComparison.OrdinalIgnoreCase));
            if (chosen.File is null)
                return TypedResults.Problem(detail: $"format '{format}' is not one of {string.Join(", ", formats.Select(f => f.Format))}", statusCode: StatusCodes.Status400BadRequest);
            if (StageJobApi.ResultOf(job)?.Output is not { } output)
                return TypedResults.Problem(detail: $"job {id} is {job.State}: its report exists once it has succeeded", statusCode: StatusCodes.Status409Conflict);
            string path = Path.GetFullPath(Path.Combine(output, chosen.File));
            if (!File.Exists(path)) return TypedResults.Problem(detail: $"the report of job {id} is no longer at {path}", statusCode: StatusCodes.Status410Gone);
            return chosen.ContentType.StartsWith("image/", StringComparison.Ordinal)
                ? TypedResults.PhysicalFile(path, chosen.ContentType)
                : TypedResults.Content(await File.ReadAllTextAsync(path, cancellation), chosen.ContentType);
        }).WithName($"Get{char.ToUpperInvariant(stage[0])}{stage[1..]}Report")
          .WithSummary($"Get a finished {stage} run's report (format={string.Join(", ", formats.Select(f => f.Format))})")
          .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(410);
}
