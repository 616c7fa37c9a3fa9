using System.Text.Json;
using Llama.Platform.Metadata;
using Llama.Platform.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Jobs.Api;

/// <summary>
/// The job API every stage service offers, the same way: submit a job, get its status, stream its progress
/// (server-sent events), cancel it, list the artifacts its run produced. A stage supplies its job kind and a
/// validator for the request body; the work itself runs in a <see cref="JobWorker"/> of that stage's process.
/// </summary>
public static class StageJobApi
{
    /// <summary>
    /// The optional request header of a submission that names the job's id (a GUID): submitting again with the same
    /// key returns the job already queued instead of adding another.
    /// </summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <param name="stage">Route segment and queue name (<c>curation</c> gives <c>/api/curation/jobs</c>).</param>
    /// <param name="validate">Checks a request body; returns an error to show as a 400 problem, or null.</param>
    public static RouteGroupBuilder MapStageJobApi(this IEndpointRouteBuilder app, string stage, string jobKind, Func<JsonElement, string?> validate)
    {
        var api = app.MapGroup($"/api/{stage}/jobs").WithTags(stage);

        api.MapPost("/", async Task<Results<Accepted<SubmittedJobDto>, ProblemHttpResult>> (JobQueue queue, HttpRequest request, CancellationToken cancellation) =>
        {
            JsonElement body;
            try { body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellation); }
            catch (JsonException e) { return Problem(400, $"the request body is not valid JSON: {e.Message}"); }
            if (validate(body) is { } error) return Problem(400, error);
            // A client-chosen job id makes submitting again (after a crash or a lost answer) return the same job.
            Guid? chosen = null;
            if (request.Headers[IdempotencyKeyHeader] is [{ } key])
            {
                if (!Guid.TryParse(key, out var parsed)) return Problem(400, $"{IdempotencyKeyHeader} must be a GUID (it becomes the job's id), not '{key}'");
                chosen = parsed;
            }
            Guid id;
            try { id = await queue.EnqueueAsync(stage, jobKind, body.GetRawText(), id: chosen, cancellation: cancellation); }
            catch (JobIdConflictException e) { return Problem(409, e.Message); }
            string status = $"/api/{stage}/jobs/{id}";
            return TypedResults.Accepted(status, new SubmittedJobDto(id, status, $"{status}/events"));
        }).WithName($"Submit{Pascal(stage)}Job").WithSummary($"Submit a {stage} job").ProducesProblem(400).ProducesProblem(409);

        api.MapGet("/", async (JobQueue queue, string? state, CancellationToken cancellation) =>
        {
            JobState? filter = null;
            if (state is not null)
            {
                if (!Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed))
                    return (IResult)Problem(400, $"state '{state}' is not one of {string.Join(", ", Enum.GetNames<JobState>())}");
                filter = parsed;
            }
            var jobs = await queue.ListAsync(stage, filter, 200, cancellation);
            return TypedResults.Ok(jobs.Select(StageJobDto.From).ToList());
        }).WithName($"List{Pascal(stage)}Jobs").WithSummary($"List {stage} jobs, newest first");

        api.MapGet("/{id:guid}", async Task<Results<Ok<StageJobDto>, ProblemHttpResult>> (JobQueue queue, Guid id, CancellationToken cancellation) =>
            await queue.GetAsync(id, cancellation) is { } job && job.Queue == stage ? TypedResults.Ok(StageJobDto.From(job)) : NotFound(id))
            .WithName($"Get{Pascal(stage)}Job").WithSummary($"Get a {stage} job's state and progress").ProducesProblem(404);

        api.MapGet("/{id:guid}/events", StreamEventsAsync(stage))
            .WithName($"Stream{Pascal(stage)}JobEvents").WithSummary("Follow a job's progress as server-sent events until it ends");

        api.MapDelete("/{id:guid}", async Task<Results<Ok<StageJobDto>, ProblemHttpResult>> (JobQueue queue, Guid id, CancellationToken cancellation) =>
        {
            if (await queue.GetAsync(id, cancellation) is not { } job || job.Queue != stage) return NotFound(id);
            await queue.RequestCancelAsync(id, cancellation);
            return TypedResults.Ok(StageJobDto.From((await queue.GetAsync(id, cancellation))!));
        }).WithName($"Cancel{Pascal(stage)}Job").WithSummary("Cancel a job (a running one stops at its next heartbeat)").ProducesProblem(404);

        api.MapGet("/{id:guid}/artifacts", async Task<Results<Ok<List<ArtifactDto>>, ProblemHttpResult>> (JobQueue queue, MetadataDbContext db, Guid id, CancellationToken cancellation) =>
        {
            if (await queue.GetAsync(id, cancellation) is not { } job || job.Queue != stage) return NotFound(id);
            if (ResultOf(job)?.RunId is not { } runId) return TypedResults.Ok(new List<ArtifactDto>());
            var artifacts = await db.Artifacts.AsNoTracking().Where(a => a.ProducedByRunId == runId).OrderBy(a => a.CreatedAt).ToListAsync(cancellation);
            return TypedResults.Ok(artifacts.Select(ArtifactDto.From).ToList());
        }).WithName($"List{Pascal(stage)}JobArtifacts").WithSummary("List the artifacts the job's run produced").ProducesProblem(404);

        return api;
    }

    /// <summary>The handler's result, when the job finished with one.</summary>
    public static StageJobResult? ResultOf(Job job) =>
        string.IsNullOrWhiteSpace(job.ResultJson) ? null : JsonSerializer.Deserialize<StageJobResult>(job.ResultJson, JsonSerializerOptions.Web);

    private static Func<JobQueue, Guid, HttpContext, CancellationToken, Task> StreamEventsAsync(string stage) =>
        async (queue, id, http, cancellation) =>
        {
            if (await queue.GetAsync(id, cancellation) is not { } first || first.Queue != stage)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            string? last = null;
            for (var job = first; ; job = await queue.GetAsync(id, cancellation) ?? job)
            {
                string data = JsonSerializer.Serialize(StageJobDto.From(job), JsonSerializerOptions.Web);
                if (data != last)
                {
                    await http.Response.WriteAsync($"event: {(IsFinished(job.State) ? "end" : "progress")}\ndata: {data}\n\n", cancellation);
                    await http.Response.Body.FlushAsync(cancellation);
                    last = data;
                }
                if (IsFinished(job.State)) return;
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
            }
        };

    private static bool IsFinished(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

    private static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(title: "Not found", detail: $"no job with id {id}", statusCode: StatusCodes.Status404NotFound);

    private static string Pascal(string s) => string.Concat(s.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
