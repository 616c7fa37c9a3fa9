namespace Llama.Platform.Metadata;

// The metadata model every stage shares. Times are UTC DateTime (SQLite cannot compare DateTimeOffset in SQL;
// PostgreSQL stores them as timestamptz). Enums are stored as their names so the tables read well in psql.

/// <summary>A stored thing with an id: a dataset, a shard, a checkpoint, a tokenizer, a report. Its bytes live in the object store at <see cref="Uri"/>.</summary>
public sealed class Artifact
{
    public Guid Id { get; set; } = Guid.NewGuid();
    /// <summary>What it is: dataset, shard, checkpoint, model, tokenizer, eval-report, ... (lowercase, free-form).</summary>
    public required string Kind { get; set; }
    public required string Name { get; set; }
    /// <summary>Object-store key (<c>objects/…</c>) or an external URI (<c>file:///</c>, <c>s3://</c>, <c>hf://</c>).</summary>
    public required string Uri { get; set; }
    public long SizeBytes { get; set; }
    /// <summary>Lowercase hex SHA-256 of the bytes (of the manifest, for a folder-like artifact).</summary>
    public required string Sha256 { get; set; }
    public string? MetadataJson { get; set; }
    public Guid? ProducedByRunId { get; set; }
    public Run? ProducedByRun { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>A lineage edge: <see cref="Child"/> was made from <see cref="Parent"/>.</summary>
public sealed class ArtifactEdge
{
    public Guid ParentId { get; set; }
    public Artifact? Parent { get; set; }
    public Guid ChildId { get; set; }
    public Artifact? Child { get; set; }
    /// <summary>How: input, derived-from, averaged-from, quantized-from, ...</summary>
    public string Relation { get; set; } = "input";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

public enum RunStatus { Created, Running, Succeeded, Failed, Cancelled }

/// <summary>One execution of any stage: curation, tokenizer training, pretraining, alignment, quantization, evaluation.</summary>
public sealed class Run
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string Kind { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The full, typed config the stage ran with, as JSON.</summary>
    public string ConfigJson { get; set; } = "{}";
    public RunStatus Status { get; set; } = RunStatus.Created;
    /// <summary>Which code made it (git commit or assembly version).</summary>
    public string CodeVersion { get; set; } = "";
    public string? Host { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public List<RunInput> Inputs { get; set; } = [];
}

/// <summary>An artifact a run read.</summary>
public sealed class RunInput
{
    public Guid RunId { get; set; }
    public Run? Run { get; set; }
    public Guid ArtifactId { get; set; }
    public Artifact? Artifact { get; set; }
    /// <summary>What the run used it as (corpus, base-model, tokenizer, reference-model, ...).</summary>
    public string Role { get; set; } = "input";
}

/// <summary>A named collection of shards (curated text, tokenized sequences, preference pairs, ...).</summary>
public sealed class Dataset
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>The artifact that stands for the whole dataset (its manifest), when registered.</summary>
    public Guid? ArtifactId { get; set; }
    public Artifact? Artifact { get; set; }
    public long Documents { get; set; }
    public long Tokens { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public List<Shard> Shards { get; set; } = [];
}

/// <summary>One file of a dataset: the unit that workers claim and that loaders stream.</summary>
public sealed class Shard
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid DatasetId { get; set; }
    public Dataset? Dataset { get; set; }
    public int Index { get; set; }
    public Guid ArtifactId { get; set; }
    public Artifact? Artifact { get; set; }
    public string? Split { get; set; }
    public string? Domain { get; set; }
    public long Rows { get; set; }
    public long Tokens { get; set; }
}

/// <summary>A saved training state: model weights (and optimizer, RNG, data position) at a step of a run.</summary>
public sealed class Checkpoint
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid RunId { get; set; }
    public Run? Run { get; set; }
    public Guid ArtifactId { get; set; }
    public Artifact? Artifact { get; set; }
    public long Step { get; set; }
    public long TokensSeen { get; set; }
    public double? Loss { get; set; }
    /// <summary>Optional label: final, annealed, averaged, ...</summary>
    public string? Tag { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>A scalar a run reported at a step (loss, learning rate, tokens/s, ...).</summary>
public sealed class Metric
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public Run? Run { get; set; }
    public long Step { get; set; }
    public required string Name { get; set; }
    public double Value { get; set; }
    public DateTime Time { get; set; } = DateTime.UtcNow;
}

/// <summary>One metric of one evaluation task for one model artifact.</summary>
public sealed class EvalResult
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid? RunId { get; set; }
    public Run? Run { get; set; }
    /// <summary>The model (or checkpoint) artifact evaluated.</summary>
    public Guid ModelArtifactId { get; set; }
    public Artifact? ModelArtifact { get; set; }
    public required string Task { get; set; }
    public required string MetricName { get; set; }
    public double Value { get; set; }
    public double? StandardError { get; set; }
    public int? Samples { get; set; }
    /// <summary>How it was scored (few-shot count, chat template or raw, seed, limit), as JSON.</summary>
    public string ConfigJson { get; set; } = "{}";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

public enum JobState { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>Work waiting in, or taken from, a queue that many worker processes share.</summary>
public sealed class Job
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string Queue { get; set; }
    /// <summary>Which handler runs it (e.g. curation.run, pretraining.run).</summary>
    public required string Kind { get; set; }
    public string PayloadJson { get; set; } = "{}";
    public JobState State { get; set; } = JobState.Queued;
    public int Priority { get; set; }
    /// <summary>The worker holding the lease, and until when; a lease not renewed by heartbeats lapses and the job is taken again.</summary>
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; } = 3;
    public double Progress { get; set; }
    public string? ProgressMessage { get; set; }
    public bool CancelRequested { get; set; }
    public string? Error { get; set; }
    public string? ResultJson { get; set; }
    public Guid? RunId { get; set; }
    /// <summary>
    /// The W3C <c>traceparent</c> of the activity that submitted it (e.g. the HTTP request of a pipeline step), so the
    /// worker's job activity continues that trace in whichever process claims the job.
    /// </summary>
    public string? TraceParent { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
