using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Artifacts;

/// <summary>
/// Records artifacts and their lineage in the metadata store: what each artifact is, where its bytes are,
/// which run made it, and which artifacts it was made from. Edges only ever point from existing artifacts
/// to the one being registered, so the lineage graph is acyclic by construction.
/// Datasets, checkpoints and eval results (records that point at artifacts) are registered here too.
/// </summary>
public sealed partial class ArtifactRegistry(MetadataStore store)
{
    /// <summary>How many matches an ambiguous prefix error lists.</summary>
    internal const int AmbiguityListLimit = 10;

    /// <summary>
    /// Records <paramref name="spec"/> with an edge from each parent. Every parent (and the producing run) must
    /// exist; otherwise nothing is written.
    /// </summary>
    /// <exception cref="ArtifactNotFoundException">A parent does not exist (the message names its id).</exception>
    /// <exception cref="RunNotFoundException">The producing run does not exist.</exception>
    /// <exception cref="ArgumentException">A field is empty, too long, or malformed.</exception>
    public async Task<Artifact> RegisterAsync(
        NewArtifact spec, IEnumerable<(Guid ParentId, string Relation)>? parents = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var artifact = new Artifact
        {
            Kind = MetadataValidation.NonEmpty(spec.Kind, "kind", 64),
            Name = MetadataValidation.NonEmpty(spec.Name, "name", 512),
            Uri = MetadataValidation.NonEmpty(spec.Uri, "uri", 2048),
            SizeBytes = spec.SizeBytes >= 0 ? spec.SizeBytes : throw new ArgumentException($"size {spec.SizeBytes} is negative", "sizeBytes"),
            Sha256 = MetadataValidation.Sha256(spec.Sha256),
            MetadataJson = spec.MetadataJson is null ? null : MetadataValidation.WellFormedJson(spec.MetadataJson, "artifact metadata"),
            ProducedByRunId = spec.ProducedByRunId,
        };
        var edges = (parents ?? []).Select(p => new ArtifactEdge
        {
            ParentId = p.ParentId,
            ChildId = artifact.Id,
            Relation = MetadataValidation.NonEmpty(p.Relation, "relation", 64),
        }).ToList();
        var twice = edges.GroupBy(e => e.ParentId).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"parent {twice.Key} is listed more than once", nameof(parents));

        await using var db = store.CreateContext();
        if (artifact.ProducedByRunId is Guid runId && !await db.Runs.AnyAsync(r => r.Id == runId, cancellation))
            throw new RunNotFoundException(runId);
        await EnsureArtifactsExistAsync(db, edges.Select(e => e.ParentId), cancellation);

        db.Artifacts.Add(artifact);
        db.ArtifactEdges.AddRange(edges);
        // One SaveChanges is one transaction: the artifact and all its edges land together or not at all
        // (a parent deleted since the check above fails the foreign key and rolls everything back).
        await db.SaveChangesAsync(cancellation);
        return artifact;
    }

    /// <exception cref="ArtifactNotFoundException">No artifact has <paramref name="id"/>.</exception>
    public async Task<Artifact> GetAsync(Guid id, CancellationToken cancellation = default)
    {
        await using var db = store.CreateContext();
        return await db.Artifacts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellation)
               ?? throw new ArtifactNotFoundException(id);
    }

    /// <summary>The newest <paramref name="limit"/> artifacts, of one kind or of all, newest first.</summary>
    public async Task<IReadOnlyList<Artifact>> ListAsync(string? kind = null, int limit = 50, CancellationToken cancellation = default)
    {
        MetadataValidation.Limit(limit);
        await using var db = store.CreateContext();
        var query = db.Artifacts.AsNoTracking();
        if (kind is not null) query = query.Where(a => a.Kind == kind);
        return await query.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(limit).ToListAsync(cancellation);
    }

    /// <summary>The artifacts of the given kinds whose content hash is <paramref name="sha256"/>, oldest first.</summary>
    public async Task<IReadOnlyList<Artifact>> WithContentAsync(string sha256, IReadOnlyCollection<string> kinds, CancellationToken cancellation = default)
    {
        string hash = MetadataValidation.Sha256(sha256);
        var wanted = kinds.ToList();
        await using var db = store.CreateContext();
        return await db.Artifacts.AsNoTracking().Where(a => a.Sha256 == hash && wanted.Contains(a.Kind))
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToListAsync(cancellation);
    }

    /// <summary>The artifacts <paramref name="id"/> was made from, oldest first.</summary>
    /// <exception cref="ArtifactNotFoundException">No artifact has <paramref name="id"/>.</exception>
    public async Task<IReadOnlyList<RelatedArtifact>> ParentsAsync(Guid id, CancellationToken cancellation = default)
    {
        await using var db = store.CreateContext();
        await EnsureArtifactsExistAsync(db, [id], cancellation);
        var rows = await db.ArtifactEdges.AsNoTracking().Where(e => e.ChildId == id)
            .OrderBy(e => e.Parent!.CreatedAt)
            .Select(e => new { e.Parent, e.Relation }).ToListAsync(cancellation);
        return rows.Select(r => new RelatedArtifact(r.Parent!, r.Relation)).ToList();
    }

    /// <summary>The artifacts made from <paramref name="id"/>, oldest first.</summary>
    /// <exception cref="ArtifactNotFoundException">No artifact has <paramref name="id"/>.</exception>
    public async Task<IReadOnlyList<RelatedArtifact>> ChildrenAsync(Guid id, CancellationToken cancellation = default)
    {
        await using var db = store.CreateContext();
        await EnsureArtifactsExistAsync(db, [id], cancellation);
        var rows = await db.ArtifactEdges.AsNoTracking().Where(e => e.ParentId == id)
            .OrderBy(e => e.Child!.CreatedAt)
            .Select(e => new { e.Child, e.Relation }).ToListAsync(cancellation);
        return rows.Select(r => new RelatedArtifact(r.Child!, r.Relation)).ToList();
    }

    /// <summary>Throws <see cref="ArtifactNotFoundException"/> naming the first id in <paramref name="ids"/> with no artifact.</summary>
    internal static async Task EnsureArtifactsExistAsync(MetadataDbContext db, IEnumerable<Guid> ids, CancellationToken cancellation)
    {
        var wanted = ids.Distinct().ToList();
        if (wanted.Count == 0) return;
        var found = await db.Artifacts.Where(a => wanted.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellation);
        var missing = wanted.Except(found).ToList();
        if (missing.Count > 0) throw new ArtifactNotFoundException(missing[0]);
    }
}
