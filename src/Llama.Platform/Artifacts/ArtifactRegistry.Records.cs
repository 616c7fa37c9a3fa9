using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Artifacts;

// Datasets, checkpoints and eval results: typed records that point at artifacts. Each checks that what it
// points at exists before writing, so the caller gets ArtifactNotFoundException / RunNotFoundException naming
// the id rather than a provider-specific foreign-key error.
public sealed partial class ArtifactRegistry
{
    /// <summary>
    /// Records a dataset made of <paramref name="shards"/> (indices unique, artifacts existing). Its document and
    /// token totals are the sums over its shards, so the two can never disagree.
    /// </summary>
    /// <param name="artifactId">The artifact that stands for the whole dataset (its manifest), if any.</param>
    public async Task<Dataset> RegisterDatasetAsync(
        string name, Guid? artifactId, IEnumerable<NewShard> shards, string? description = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var specs = shards.ToList();
        var dataset = new Dataset
        {
            Name = MetadataValidation.NonEmpty(name, "name", 512),
            Description = description,
            ArtifactId = artifactId,
            Documents = specs.Sum(s => s.Rows),
            Tokens = specs.Sum(s => s.Tokens),
        };
        foreach (var s in specs)
        {
            if (s.Index < 0) throw new ArgumentException($"shard index {s.Index} is negative", nameof(shards));
            if (s.Rows < 0 || s.Tokens < 0) throw new ArgumentException($"shard {s.Index}: rows ({s.Rows}) and tokens ({s.Tokens}) must not be negative", nameof(shards));
        }
        var twice = specs.GroupBy(s => s.Index).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"shard index {twice.Key} is given more than once", nameof(shards));
        dataset.Shards = specs.OrderBy(s => s.Index).Select(s => new Shard
        {
            DatasetId = dataset.Id, Index = s.Index, ArtifactId = s.ArtifactId, Rows = s.Rows, Tokens = s.Tokens,
            Split = MetadataValidation.Optional(s.Split, "split", 64), Domain = MetadataValidation.Optional(s.Domain, "domain", 128),
        }).ToList();

        await using var db = store.CreateContext();
        await EnsureArtifactsExistAsync(db, specs.Select(s => s.ArtifactId).Concat(artifactId is Guid a ? [a] : []), cancellation);
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync(cancellation);
        return dataset;
    }

    /// <summary>A dataset with its shards in index order.</summary>
    /// <exception cref="DatasetNotFoundException">No dataset has <paramref name="id"/>.</exception>
    public async Task<Dataset> GetDatasetAsync(Guid id, CancellationToken cancellation = default)
    {
        await using var db = store.CreateContext();
        return await db.Datasets.AsNoTracking().Include(d => d.Shards.OrderBy(s => s.Index))
                   .FirstOrDefaultAsync(d => d.Id == id, cancellation)
               ?? throw new DatasetNotFoundException(id);
    }

    /// <summary>Records that <paramref name="runId"/> saved its state as <paramref name="artifactId"/> at <paramref name="step"/>.</summary>
    /// <param name="tag">Optional label: final, annealed, averaged, ...</param>
    public async Task<Checkpoint> RegisterCheckpointAsync(
        Guid runId, Guid artifactId, long step, long tokensSeen, double? loss = null, string? tag = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegative(tokensSeen);
        var checkpoint = new Checkpoint
        {
            RunId = runId, ArtifactId = artifactId, Step = step, TokensSeen = tokensSeen,
            Loss = loss is double l ? MetadataValidation.Finite(l, "loss") : null,
            Tag = MetadataValidation.Optional(tag, "tag", 64),
        };
        await using var db = store.CreateContext();
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellation)) throw new RunNotFoundException(runId);
        await EnsureArtifactsExistAsync(db, [artifactId], cancellation);
        db.Checkpoints.Add(checkpoint);
        await db.SaveChangesAsync(cancellation);
        return checkpoint;
    }

    /// <summary>The checkpoints of a run in step order.</summary>
    public async Task<IReadOnlyList<Checkpoint>> CheckpointsAsync(Guid runId, CancellationToken cancellation = default)
    {
        await using var db = store.CreateContext();
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellation)) throw new RunNotFoundException(runId);
        return await db.Checkpoints.AsNoTracking().Where(c => c.RunId == runId)
            .OrderBy(c => c.Step).ThenBy(c => c.CreatedAt).ToListAsync(cancellation);
    }

    /// <summary>Records one metric of one evaluation task for a model artifact.</summary>
    public async Task<EvalResult> RecordEvalResultAsync(NewEvalResult spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Samples is < 0) throw new ArgumentException($"samples ({spec.Samples}) must not be negative", nameof(spec));
        var result = new EvalResult
        {
            RunId = spec.RunId,
            ModelArtifactId = spec.ModelArtifactId,
            Task = MetadataValidation.NonEmpty(spec.Task, "task", 256),
            MetricName = MetadataValidation.NonEmpty(spec.MetricName, "metric name", 128),
            Value = MetadataValidation.Finite(spec.Value, $"{spec.Task}/{spec.MetricName}"),
            StandardError = spec.StandardError is double se ? MetadataValidation.Finite(se, "standard error") : null,
            Samples = spec.Samples,
            ConfigJson = MetadataValidation.WellFormedJson(spec.ConfigJson, "eval config"),
        };
        await using var db = store.CreateContext();
        if (spec.RunId is Guid runId && !await db.Runs.AnyAsync(r => r.Id == runId, cancellation)) throw new RunNotFoundException(runId);
        await EnsureArtifactsExistAsync(db, [spec.ModelArtifactId], cancellation);
        db.EvalResults.Add(result);
        await db.SaveChangesAsync(cancellation);
        return result;
    }

    /// <summary>Every eval result of a model artifact, by task then metric.</summary>
    public async Task<IReadOnlyList<EvalResult>> EvalResultsAsync(Guid modelArtifactId, CancellationToken cancellation = default)
    {
        await using var db = store.CreateContext();
        await EnsureArtifactsExistAsync(db, [modelArtifactId], cancellation);
        return await db.EvalResults.AsNoTracking().Where(r => r.ModelArtifactId == modelArtifactId)
            .OrderBy(r => r.Task).ThenBy(r => r.MetricName).ThenBy(r => r.CreatedAt).ToListAsync(cancellation);
    }
}
