using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Registry;

/// <summary>
/// The registry role's read API over the metadata database: artifacts, runs with their metrics, datasets with
/// their shards, checkpoints and evaluation results (eShop's <c>MapCatalogApi</c> style: one route group, each
/// endpoint named and summarised for OpenAPI). Errors are RFC 7807 problem details.
/// </summary>
public static class RegistryApi
{
    /// <summary>Rows a list returns when the caller names no <c>limit</c>.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The most rows one list call returns.</summary>
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Registry");

        api.MapGet("/artifacts", ListArtifacts).WithName("ListArtifacts")
            .WithSummary("List artifacts, newest first").WithDescription("Filter by kind (e.g. dataset, checkpoint, tokenizer).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/artifacts/{id}", GetArtifact).WithName("GetArtifact").WithSummary("Get one artifact by id")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/artifacts/{id}/lineage", GetLineage).WithName("GetArtifactLineage")
            .WithSummary("Get an artifact's lineage graph")
            .WithDescription("direction=up (default): what it was made from; direction=down: what was made from it. depth limits the edges followed.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/runs", ListRuns).WithName("ListRuns").WithSummary("List runs, newest first")
            .WithDescription("Filter by kind (e.g. pretraining, sft, eval) and status (Created, Running, Succeeded, Failed, Cancelled).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/runs/{id}", GetRun).WithName("GetRun").WithSummary("Get one run with its config and inputs")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/runs/{id}/metrics", GetRunMetrics).WithName("GetRunMetrics")
            .WithSummary("Get a run's metrics by name and step").WithDescription("Filter by metric name (e.g. loss, lr).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/datasets", ListDatasets).WithName("ListDatasets").WithSummary("List datasets, newest first");
        api.MapGet("/datasets/{id}", GetDataset).WithName("GetDataset").WithSummary("Get one dataset with its shards")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/checkpoints", ListCheckpoints).WithName("ListCheckpoints")
            .WithSummary("List checkpoints by run and step").WithDescription("Filter by the run that saved them.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/eval-results", ListEvalResults).WithName("ListEvalResults")
            .WithSummary("List evaluation results").WithDescription("Filter by the evaluated model artifact.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    public static async Task<Results<Ok<List<ArtifactDto>>, ProblemHttpResult>> ListArtifacts(
        MetadataDbContext db, string? kind = null, int? limit = null, CancellationToken cancellation = default)
    {
        if (CheckLimit(limit) is { } problem) return problem;
        var query = db.Artifacts.AsNoTracking();
        if (!string.IsNullOrEmpty(kind)) query = query.Where(a => a.Kind == kind);
        var rows = await query.OrderByDescending(a => a.CreatedAt).Take(limit ?? DefaultLimit).ToListAsync(cancellation);
        return TypedResults.Ok(rows.Select(ArtifactDto.From).ToList());
    }

    public static async Task<Results<Ok<ArtifactDto>, ProblemHttpResult>> GetArtifact(
        MetadataDbContext db, string id, CancellationToken cancellation = default)
    {
        if (!Guid.TryParse(id, out var artifactId)) return MalformedId("artifact", id);
        var artifact = await db.Artifacts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == artifactId, cancellation);
        return artifact is null ? NotFound("artifact", artifactId) : TypedResults.Ok(ArtifactDto.From(artifact));
    }

    public static async Task<Results<Ok<LineageDto>, ProblemHttpResult>> GetLineage(
        MetadataStore store, string id, string? direction = null, int? depth = null, CancellationToken cancellation = default)
    {
        if (!Guid.TryParse(id, out var artifactId)) return MalformedId("artifact", id);
        LineageDirection walk;
        switch (direction?.ToLowerInvariant())
        {
            case null or "" or "up": walk = LineageDirection.Up; break;
            case "down": walk = LineageDirection.Down; break;
            default: return TypedResults.Problem($"direction '{direction}' must be up or down", statusCode: StatusCodes.Status400BadRequest);
        }
        if (depth is < 0) return TypedResults.Problem($"depth ({depth}) must be >= 0", statusCode: StatusCodes.Status400BadRequest);
        try
        {
            var graph = await new ArtifactRegistry(store).LineageAsync(artifactId, walk, depth ?? int.MaxValue, cancellation);
            return TypedResults.Ok(LineageDto.From(graph));
        }
        catch (ArtifactNotFoundException)
        {
            return NotFound("artifact", artifactId);
        }
    }

    public static async Task<Results<Ok<List<RunSummaryDto>>, ProblemHttpResult>> ListRuns(
        MetadataDbContext db, string? kind = null, string? status = null, int? limit = null, CancellationToken cancellation = default)
    {
        if (CheckLimit(limit) is { } problem) return problem;
        var query = db.Runs.AsNoTracking();
        if (!string.IsNullOrEmpty(kind)) query = query.Where(r => r.Kind == kind);
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<RunStatus>(status, ignoreCase: true, out var wanted) || !Enum.IsDefined(wanted))
                return BadRequest($"status '{status}' is not one of {string.Join(", ", Enum.GetNames<RunStatus>())}");
            query = query.Where(r => r.Status == wanted);
        }
        var rows = await query.OrderByDescending(r => r.CreatedAt).Take(limit ?? DefaultLimit).ToListAsync(cancellation);
        return TypedResults.Ok(rows.Select(RunSummaryDto.From).ToList());
    }

    public static async Task<Results<Ok<RunDetailDto>, ProblemHttpResult>> GetRun(
        MetadataDbContext db, string id, CancellationToken cancellation = default)
    {
        if (!Guid.TryParse(id, out var runId)) return MalformedId("run", id);
        var run = await db.Runs.AsNoTracking().Include(r => r.Inputs).FirstOrDefaultAsync(r => r.Id == runId, cancellation);
        if (run is null) return NotFound("run", runId);
        var inputs = run.Inputs.OrderBy(i => i.Role).ThenBy(i => i.ArtifactId).Select(i => new RunInputDto(i.ArtifactId, i.Role)).ToList();
        return TypedResults.Ok(new RunDetailDto(RunSummaryDto.From(run), StoredJson.Parse(run.ConfigJson), inputs));
    }

    public static async Task<Results<Ok<List<MetricDto>>, ProblemHttpResult>> GetRunMetrics(
        MetadataDbContext db, string id, string? name = null, CancellationToken cancellation = default)
    {
        if (!Guid.TryParse(id, out var runId)) return MalformedId("run", id);
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellation)) return NotFound("run", runId);
        var query = db.Metrics.AsNoTracking().Where(m => m.RunId == runId);
        if (!string.IsNullOrEmpty(name)) query = query.Where(m => m.Name == name);
        var metrics = await query.OrderBy(m => m.Name).ThenBy(m => m.Step)
            .Select(m => new MetricDto(m.Name, m.Step, m.Value, m.Time)).ToListAsync(cancellation);
        return TypedResults.Ok(metrics);
    }

    public static async Task<Ok<List<DatasetDto>>> ListDatasets(MetadataDbContext db, CancellationToken cancellation = default)
    {
        var datasets = await db.Datasets.AsNoTracking().OrderByDescending(d => d.CreatedAt)
            .Select(d => new DatasetDto(d.Id, d.Name, d.Description, d.ArtifactId, d.Documents, d.Tokens, d.Shards.Count, d.CreatedAt))
            .ToListAsync(cancellation);
        return TypedResults.Ok(datasets);
    }

    public static async Task<Results<Ok<DatasetDetailDto>, ProblemHttpResult>> GetDataset(
        MetadataDbContext db, string id, CancellationToken cancellation = default)
    {
        if (!Guid.TryParse(id, out var datasetId)) return MalformedId("dataset", id);
        var d = await db.Datasets.AsNoTracking().Include(x => x.Shards).FirstOrDefaultAsync(x => x.Id == datasetId, cancellation);
        if (d is null) return NotFound("dataset", datasetId);
        var summary = new DatasetDto(d.Id, d.Name, d.Description, d.ArtifactId, d.Documents, d.Tokens, d.Shards.Count, d.CreatedAt);
        return TypedResults.Ok(new DatasetDetailDto(summary, d.Shards.OrderBy(s => s.Index).Select(ShardDto.From).ToList()));
    }

    public static async Task<Results<Ok<List<CheckpointDto>>, ProblemHttpResult>> ListCheckpoints(
        MetadataDbContext db, string? runId = null, CancellationToken cancellation = default)
    {
        var query = db.Checkpoints.AsNoTracking();
        if (!string.IsNullOrEmpty(runId))
        {
            if (!Guid.TryParse(runId, out var id)) return MalformedId("run", runId);
            query = query.Where(c => c.RunId == id);
        }
        var rows = await query.OrderBy(c => c.RunId).ThenBy(c => c.Step).ToListAsync(cancellation);
        return TypedResults.Ok(rows.Select(CheckpointDto.From).ToList());
    }

    public static async Task<Results<Ok<List<EvalResultDto>>, ProblemHttpResult>> ListEvalResults(
        MetadataDbContext db, string? modelArtifactId = null, CancellationToken cancellation = default)
    {
        var query = db.EvalResults.AsNoTracking();
        if (!string.IsNullOrEmpty(modelArtifactId))
        {
            if (!Guid.TryParse(modelArtifactId, out var id)) return MalformedId("model artifact", modelArtifactId);
            query = query.Where(r => r.ModelArtifactId == id);
        }
        var rows = await query.OrderBy(r => r.Task).ThenBy(r => r.MetricName).ThenBy(r => r.CreatedAt).ToListAsync(cancellation);
        return TypedResults.Ok(rows.Select(EvalResultDto.From).ToList());
    }

    private static ProblemHttpResult? CheckLimit(int? limit) => limit is < 1 or > MaxLimit
        ? BadRequest($"limit ({limit}) must be between 1 and {MaxLimit}")
        : null;

    private static ProblemHttpResult MalformedId(string what, string id) =>
        BadRequest($"'{id}' is not a {what} id (expected a GUID such as {Guid.Empty})");

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(title: "Bad request", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    private static ProblemHttpResult NotFound(string what, Guid id) =>
        TypedResults.Problem(title: "Not found", detail: $"no {what} with id {id}", statusCode: StatusCodes.Status404NotFound);
}
