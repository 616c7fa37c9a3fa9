using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Runs;

/// <summary>
/// Records runs of any stage: start (config, inputs, code version, host), metrics by step, and outcome.
/// A run goes Running → Succeeded | Failed | Cancelled exactly once.
/// </summary>
public sealed class RunTracker(MetadataStore store)
{
    /// <summary>
    /// Records a run as started now on this machine. <paramref name="configJson"/> must parse and every input
    /// artifact must exist; otherwise nothing is written.
    /// </summary>
    /// <param name="inputs">The artifacts the run reads, each with the role it plays (corpus, tokenizer, base-model, ...).</param>
    /// <param name="codeVersion">Defaults to <see cref="CodeVersion.Current"/>.</param>
    /// <exception cref="MalformedJsonException">The config is not JSON (an <see cref="ArgumentException"/>).</exception>
    /// <exception cref="ArtifactNotFoundException">An input artifact does not exist.</exception>
    public async Task<Run> StartAsync(
        string kind, string name, string configJson, IEnumerable<(Guid ArtifactId, string Role)>? inputs = null,
        string? codeVersion = null, CancellationToken cancellation = default)
    {
        var now = DateTime.UtcNow;
        var run = new Run
        {
            Kind = MetadataValidation.NonEmpty(kind, "kind", 64),
            Name = name ?? "",
            ConfigJson = MetadataValidation.WellFormedJson(configJson, $"run config of {kind} run '{name}'"),
            Status = RunStatus.Running,
            CodeVersion = codeVersion ?? CodeVersion.Current,
            Host = Environment.MachineName,
            CreatedAt = now,
            StartedAt = now,
        };
        run.Inputs = (inputs ?? []).Select(i => new RunInput
        {
            RunId = run.Id, ArtifactId = i.ArtifactId, Role = MetadataValidation.NonEmpty(i.Role, "role", 64),
        }).ToList();
        var twice = run.Inputs.GroupBy(i => i.ArtifactId).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"input artifact {twice.Key} is listed more than once", nameof(inputs));

        await using var db = store.CreateContext();
        await ArtifactRegistry.EnsureArtifactsExistAsync(db, run.Inputs.Select(i => i.ArtifactId), cancellation);
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellation);
        return run;
    }

    /// <summary>
    /// Records the values of several metrics at one step, in one batched insert. Values must be finite: a NaN or
    /// infinite loss is refused (<see cref="ArgumentException"/> naming metric and step) because SQLite would
    /// store it as NULL and charts cannot draw it; a diverged run should finish as Failed saying so.
    /// </summary>
    /// <exception cref="RunNotFoundException">No run has <paramref name="runId"/>.</exception>
    public async Task LogMetricsAsync(
        Guid runId, long step, IReadOnlyDictionary<string, double> values, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var time = DateTime.UtcNow;
        var metrics = values.Select(v => new Metric
        {
            RunId = runId, Step = step, Time = time,
            Name = MetadataValidation.NonEmpty(v.Key, "metric name", 128),
            Value = MetadataValidation.Finite(v.Value, $"metric '{v.Key}' at step {step}"),
        }).ToList();

        await using var db = store.CreateContext();
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellation)) throw new RunNotFoundException(runId);
        if (metrics.Count == 0) return;
        db.Metrics.AddRange(metrics);
        await db.SaveChangesAsync(cancellation);
    }

    /// <summary>Records how a run ended. Only a run still Created or Running can finish, once.</summary>
    /// <param name="status">Succeeded, Failed or Cancelled.</param>
    /// <exception cref="RunNotFoundException">No run has <paramref name="runId"/>.</exception>
    /// <exception cref="RunAlreadyFinishedException">The run already finished.</exception>
    public async Task<Run> FinishAsync(Guid runId, RunStatus status, string? error = null, CancellationToken cancellation = default)
    {
        if (status is not (RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled))
            throw new ArgumentException($"a run finishes as Succeeded, Failed or Cancelled, not {status}", nameof(status));
        var now = DateTime.UtcNow;
        await using var db = store.CreateContext();
        // One conditional UPDATE: two processes finishing the same run cannot both win.
        int updated = await db.Runs
            .Where(r => r.Id == runId && (r.Status == RunStatus.Created || r.Status == RunStatus.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.Error, error)
                .SetProperty(r => r.FinishedAt, now), cancellation);
        var run = await db.Runs.AsNoTracking().Include(r => r.Inputs).FirstOrDefaultAsync(r => r.Id == runId, cancellation)
                  ?? throw new RunNotFoundException(runId);
        if (updated == 0) throw new RunAlreadyFinishedException(runId, run.Status);
        return run;
    }

    /// <summary>A run with its inputs.</summary>
    /// <exception cref="RunNotFoundException">No run has <paramref name="runId"/>.</exception>
    public async Task<Run> GetAsync(Guid runId, CancellationToken cancellation = default)
    {
        await using var db = store.CreateContext();
        return await db.Runs.AsNoTracking().Include(r => r.Inputs).FirstOrDefaultAsync(r => r.Id == runId, cancellation)
               ?? throw new RunNotFoundException(runId);
    }

    /// <summary>The newest <paramref name="limit"/> runs, optionally of one kind and/or status, newest first.</summary>
    public async Task<IReadOnlyList<Run>> ListAsync(
        string? kind = null, RunStatus? status = null, int limit = 50, CancellationToken cancellation = default)
    {
        MetadataValidation.Limit(limit);
        await using var db = store.CreateContext();
        var query = db.Runs.AsNoTracking();
        if (kind is not null) query = query.Where(r => r.Kind == kind);
        if (status is RunStatus s) query = query.Where(r => r.Status == s);
        return await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit).ToListAsync(cancellation);
    }

    /// <summary>One metric of a run in step order (empty when the run never logged it).</summary>
    /// <exception cref="RunNotFoundException">No run has <paramref name="runId"/>.</exception>
    public async Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(Guid runId, string name, CancellationToken cancellation = default)
    {
        await using var db = store.CreateContext();
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellation)) throw new RunNotFoundException(runId);
        return await db.Metrics.AsNoTracking().Where(m => m.RunId == runId && m.Name == name)
            .OrderBy(m => m.Step).ThenBy(m => m.Id)
            .Select(m => new MetricPoint(m.Step, m.Value, m.Time)).ToListAsync(cancellation);
    }
}
