using Llama.Platform.Metadata;

namespace Llama.Platform.Artifacts;

/// <summary>What to record for a new artifact; its bytes are already in the object store at <paramref name="Uri"/>.</summary>
/// <param name="Kind">dataset, shard, checkpoint, model, tokenizer, eval-report, ...</param>
/// <param name="Uri">Object-store key or external URI.</param>
/// <param name="Sha256">64 lowercase hex digits.</param>
/// <param name="MetadataJson">Optional JSON (must parse).</param>
/// <param name="ProducedByRunId">The run that made it, when one did (must exist).</param>
public sealed record NewArtifact(
    string Kind, string Name, string Uri, long SizeBytes, string Sha256,
    string? MetadataJson = null, Guid? ProducedByRunId = null);

/// <summary>An artifact one lineage edge away, with how it relates (the edge's relation).</summary>
public sealed record RelatedArtifact(Artifact Artifact, string Relation);

/// <summary>Which way a lineage walk goes.</summary>
public enum LineageDirection
{
    /// <summary>Towards parents: what the artifact was made from.</summary>
    Up,
    /// <summary>Towards children: what was made from the artifact.</summary>
    Down,
}

/// <summary>An artifact reached by a lineage walk, at its shortest distance (in edges) from the root.</summary>
public sealed record LineageNode(Artifact Artifact, int Depth);

/// <summary>A lineage edge as the walk found it: <paramref name="ChildId"/> was made from <paramref name="ParentId"/>.</summary>
public sealed record LineageEdge(Guid ParentId, Guid ChildId, string Relation);

/// <summary>The lineage graph around one artifact: the root (depth 0) first, then nodes by depth, and every edge walked.</summary>
public sealed record ArtifactLineage(Guid RootId, LineageDirection Direction, IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges);

/// <summary>One shard of a dataset being registered; its artifact must exist.</summary>
public sealed record NewShard(int Index, Guid ArtifactId, long Rows, long Tokens, string? Split = null, string? Domain = null);

/// <summary>One metric of one evaluation task for a model artifact.</summary>
/// <param name="ConfigJson">How it was scored (few-shot count, template, seed, limit); must parse.</param>
public sealed record NewEvalResult(
    Guid ModelArtifactId, string Task, string MetricName, double Value,
    double? StandardError = null, int? Samples = null, string ConfigJson = "{}", Guid? RunId = null);
