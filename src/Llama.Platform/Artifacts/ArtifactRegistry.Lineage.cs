using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Artifacts;

public sealed partial class ArtifactRegistry
{
    /// <summary>
    /// Walks the lineage graph breadth-first from <paramref name="id"/>, up to its parents or down to its
    /// children, at most <paramref name="maxDepth"/> edges away (0 gives the root alone). Each node appears once,
    /// at its shortest distance; every edge walked from a node closer than <paramref name="maxDepth"/> is returned.
    /// </summary>
    /// <exception cref="ArtifactNotFoundException">No artifact has <paramref name="id"/>.</exception>
    public async Task<ArtifactLineage> LineageAsync(
        Guid id, LineageDirection direction, int maxDepth = int.MaxValue, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        await using var db = store.CreateContext();
        var root = await db.Artifacts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellation)
                   ?? throw new ArtifactNotFoundException(id);

        var depthOf = new Dictionary<Guid, int> { [id] = 0 };
        var edges = new List<LineageEdge>();
        var frontier = new List<Guid> { id };
        // One query per level rather than a recursive CTE: it reads the same on both providers, and lineage is
        // shallow (one level per stage) even where it is wide (thousands of shards load in one level).
        for (int depth = 0; depth < maxDepth && frontier.Count > 0; depth++)
        {
            var from = frontier;
            var edgesOut = direction == LineageDirection.Down
                ? db.ArtifactEdges.Where(e => from.Contains(e.ParentId))
                : db.ArtifactEdges.Where(e => from.Contains(e.ChildId));
            var level = await edgesOut.AsNoTracking()
                .OrderBy(e => e.CreatedAt)
                .Select(e => new LineageEdge(e.ParentId, e.ChildId, e.Relation))
                .ToListAsync(cancellation);
            frontier = [];
            foreach (var edge in level)
            {
                edges.Add(edge);
                var reached = direction == LineageDirection.Down ? edge.ChildId : edge.ParentId;
                // A node already seen (two inputs sharing an ancestor) keeps its shorter depth and is not walked
                // again; the same rule ends a cycle, should a hand-edited database ever hold one.
                if (depthOf.TryAdd(reached, depth + 1)) frontier.Add(reached);
            }
        }

        var others = depthOf.Keys.Where(k => k != id).ToList();
        var artifacts = others.Count == 0
            ? []
            : await db.Artifacts.AsNoTracking().Where(a => others.Contains(a.Id)).ToListAsync(cancellation);
        var nodes = artifacts.Select(a => new LineageNode(a, depthOf[a.Id]))
            .OrderBy(n => n.Depth).ThenBy(n => n.Artifact.CreatedAt)
            .Prepend(new LineageNode(root, 0))
            .ToList();
        return new ArtifactLineage(id, direction, nodes, edges);
    }
}
