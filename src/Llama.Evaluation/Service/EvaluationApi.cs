using Llama.Evaluation.Reports;
using Llama.Evaluation.Tasks;
using Llama.Platform.Artifacts;
using Llama.Platform.Jobs.Api;
using Llama.Platform.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Llama.Evaluation.Service;

/// <summary>
/// The evaluation service's API: the shared stage job API (a job evaluates one model on some tasks), the finished
/// job's results and report, the built-in task names, and the stored results of any model artifact.
/// </summary>
public static class EvaluationApi
{
    public static RouteGroupBuilder MapEvaluationApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapStageJobApi("evaluation", EvaluationJobRequest.Kind, EvaluationJobRequest.Validate);
        jobs.MapStageReport("evaluation",
            [("json", "results.json", "application/json"), ("md", "report.md", "text/markdown"), ("png", "report.png", "image/png")]);

        var api = app.MapGroup("/api/evaluation").WithTags("evaluation");
        api.MapGet("/tasks", () => TypedResults.Ok(TaskCatalog.BuiltinNames))
            .WithName("ListEvaluationTasks").WithSummary("The built-in task names");
        api.MapGet("/results/{model}", async Task<Results<Ok<string>, ProblemHttpResult>> (MetadataStore store, string model, CancellationToken cancellation) =>
        {
            try
            {
                var compared = await EvalComparison.LoadAsync(new ArtifactRegistry(store), [model], cancellation);
                return TypedResults.Ok(EvalComparison.ToMarkdown(compared));
            }
            catch (Exception e) when (e is ArgumentException or MetadataRecordNotFoundException or AmbiguousArtifactIdException)
            {
                return TypedResults.Problem(detail: e.Message, statusCode: StatusCodes.Status404NotFound);
            }
        }).WithName("GetEvaluationResults").WithSummary("A model artifact's stored results as a markdown table").ProducesProblem(404);
        return jobs;
    }
}
