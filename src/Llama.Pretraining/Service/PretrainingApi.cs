using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Llama.Pretraining.Service;

/// <summary>The pretraining service's API: the shared stage job API plus the finished run's report and loss curve.</summary>
public static class PretrainingApi
{
    public static RouteGroupBuilder MapPretrainingApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapStageJobApi("pretraining", PretrainingJobRequest.Kind, PretrainingJobRequest.Validate);
        jobs.MapGet("/{id:guid}/report", async Task<Results<ContentHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> (JobQueue queue, Guid id, string? format, CancellationToken cancellation) =>
        {
            if (await queue.GetAsync(id, cancellation) is not { Queue: "pretraining" } job)
                return TypedResults.Problem(title: "Not found", detail: $"no pretraining job with id {id}", statusCode: StatusCodes.Status404NotFound);
            if (StageJobApi.ResultOf(job)?.Output is not { } output)
                return TypedResults.Problem(detail: $"job {id} is {job.State}: its report exists once it has succeeded", statusCode: StatusCodes.Status409Conflict);
            string file = format?.ToLowerInvariant() switch { "md" => "report.md", "png" => "loss.png", _ => "report.json" };
            string path = Path.Combine(output, file);
            if (!File.Exists(path)) return TypedResults.Problem(detail: $"the report of job {id} is no longer at {path}", statusCode: StatusCodes.Status410Gone);
            if (file.EndsWith(".png")) return TypedResults.PhysicalFile(Path.GetFullPath(path), "image/png");
            return TypedResults.Content(await File.ReadAllTextAsync(path, cancellation), file.EndsWith(".md") ? "text/markdown" : "application/json");
        }).WithName("GetPretrainingReport").WithSummary("Get a finished pretraining run's report (format=json, md, or png for the loss curve)")
          .ProducesProblem(404).ProducesProblem(409).ProducesProblem(410);
        return jobs;
    }
}
