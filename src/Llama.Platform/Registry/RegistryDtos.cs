using System.Text.Json;
using Llama.Platform.Metadata;

namespace Llama.Platform.Registry;

// What the registry API returns: plain records, so the wire format does not follow every change of the entities.
// JSON columns (metadata, config) are returned as JSON, not as strings holding JSON.

/// <summary>A stored artifact: where it is, its size and content hash, and which run produced it.</summary>
public sealed record ArtifactDto(
    Guid Id, string Kind, string Name, string Uri, long SizeBytes, string Sha256, JsonElement? Metadata,
    Guid? ProducedByRunId, DateTime CreatedAt)
{
    public static ArtifactDto From(Artifact a) =>
        new(a.Id, a.Kind, a.Name, a.Uri, a.SizeBytes, a.Sha256, StoredJson.Parse(a.MetadataJson), a.ProducedByRunId, a.CreatedAt);
}

/// <summary>A lineage graph: the artifacts reached (with their distance from the root) and the edges between them.</summary>
public sealed record LineageDto(Guid RootId, string Direction, List<LineageNodeDto> Nodes, List<LineageEdgeDto> Edges)
{
    public static LineageDto From(Llama.Platform.Artifacts.ArtifactLineage g) => new(
        g.RootId, g.Direction.ToString().ToLowerInvariant(),
        g.Nodes.Select(n => new LineageNodeDto(ArtifactDto.From(n.Artifact), n.Depth)).ToList(),
        g.Edges.Select(e => new LineageEdgeDto(e.ParentId, e.ChildId, e.Relation)).ToList());
}

public sealed record LineageNodeDto(ArtifactDto Artifact, int Depth);

public sealed record LineageEdgeDto(Guid ParentId, Guid ChildId, string Relation);

/// <summary>A run as listed: what, its state and when.</summary>
public sealed record RunSummaryDto(
    Guid Id, string Kind, string Name, string Status, string CodeVersion, string? Host, string? Error,
    DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    public static RunSummaryDto From(Run r) =>
        new(r.Id, r.Kind, r.Name, r.Status.ToString(), r.CodeVersion, r.Host, r.Error, r.CreatedAt, r.StartedAt, r.FinishedAt);
}

/// <summary>One run with its configuration and the artifacts it read.</summary>
public sealed record RunDetailDto(RunSummaryDto Run, JsonElement? Config, IReadOnlyList<RunInputDto> Inputs);

/// <summary>An artifact a run read, and in which role (e.g. <c>dataset</c>, <c>init-checkpoint</c>).</summary>
public sealed record RunInputDto(Guid ArtifactId, string Role);

/// <summary>One metric value of a run at a training or evaluation step.</summary>
public sealed record MetricDto(string Name, long Step, double Value, DateTime Time);

/// <summary>A dataset as listed.</summary>
public sealed record DatasetDto(
    Guid Id, string Name, string? Description, Guid? ArtifactId, long Documents, long Tokens, int ShardCount, DateTime CreatedAt);

/// <summary>A dataset with its shards in order.</summary>
public sealed record DatasetDetailDto(DatasetDto Dataset, IReadOnlyList<ShardDto> Shards);

/// <summary>One shard of a dataset: its artifact, split, domain and size.</summary>
public sealed record ShardDto(Guid Id, int Index, Guid ArtifactId, string? Split, string? Domain, long Rows, long Tokens)
{
    public static ShardDto From(Shard s) => new(s.Id, s.Index, s.ArtifactId, s.Split, s.Domain, s.Rows, s.Tokens);
}

/// <summary>A checkpoint a run saved: its artifact, step, tokens seen and loss at that step.</summary>
public sealed record CheckpointDto(
    Guid Id, Guid RunId, Guid ArtifactId, long Step, long TokensSeen, double? Loss, string? Tag, DateTime CreatedAt)
{
    public static CheckpointDto From(Checkpoint c) =>
        new(c.Id, c.RunId, c.ArtifactId, c.Step, c.TokensSeen, c.Loss, c.Tag, c.CreatedAt);
}

/// <summary>One evaluation score of a model artifact on a task.</summary>
public sealed record EvalResultDto(
    Guid Id, Guid? RunId, Guid ModelArtifactId, string Task, string MetricName, double Value, double? StandardError,
    int? Samples, DateTime CreatedAt)
{
    public static EvalResultDto From(EvalResult r) =>
        new(r.Id, r.RunId, r.ModelArtifactId, r.Task, r.MetricName, r.Value, r.StandardError, r.Samples, r.CreatedAt);
}

internal static class StoredJson
{
    /// <summary>A JSON column as JSON; text that does not parse is returned as a JSON string rather than lost.</summary>
    public static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
