using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Llama.Curation.Service;

/// <summary>
/// The curation service's API: the shared stage job API (<c>/api/curation/jobs</c>: submit, status, events,
/// cancel, artifacts) plus the finished run's report.
/// </summary>
public static class CurationApi
{
    public static RouteGroupBuilder MapCurationApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapStageJobApi("curation", CurationJobRequest.Kind, CurationJobRequest.Validate);
        jobs.MapGet("/{id:guid}/report", async Task<Results<ContentHttpResult, ProblemHttpResult>> (JobQueue queue, Guid id, string? format, CancellationToken cancellation) =>
        {
            if (await queue.GetAsync(id, cancellation) is not { Queue: "curation" } job)
                return TypedResults.Problem(title: "Not found", detail: $"no curation job with id {id}", statusCode: StatusCodes.Status404NotFound);
            if (StageJobApi.ResultOf(job)?.Output is not { } output)
                return TypedResults.Problem(detail: $"job {id} is {job.State}: its report exists once it has succeeded", statusCode: StatusCodes.Status409Conflict);
            bool markdown = string.Equals(format, "md", StringComparison.OrdinalIgnoreCase);
            string path = Path.Combine(output, markdown ? "report.md" : "report.json");
            if (!File.Exists(path)) return TypedResults.Problem(detail: $"the report of job {id} is no longer at {path}", statusCode: StatusCodes.Status410Gone);
            return TypedResults.Content(await File.ReadAllTextAsync(path, cancellation), markdown ? "text/markdown" : "application/json");
        }).WithName("GetCurationReport").WithSummary("Get a finished curation run's report (format=json, default, or md)")
          .ProducesProblem(404).ProducesProblem(409).ProducesProblem(410);
        return jobs;
    }
}
