using Llama.Platform;

namespace Llama.Cli.Pipeline;

/// <summary>What a step needs: the pipeline's folder and preset, the platform it records on, earlier steps' outputs.</summary>
/// <param name="Folder">The pipeline's output folder; each step writes under its own subfolder.</param>
/// <param name="Corpus">The raw demo corpus (data/corpus) and its held-out sets (data/heldout) live under this data folder.</param>
/// <param name="Progress">Fraction of the step done and a short status line.</param>
public sealed record PipelineContext(string Folder, PipelinePreset Preset, string DataFolder, PlatformSettings? Platform, PipelineState State,
    string Device, IProgress<(double Fraction, string Status)> Progress)
{
    /// <summary>The subfolder of a step: <c>&lt;out&gt;/&lt;nn&gt;-&lt;step&gt;</c>.</summary>
    public string StepFolder(PipelineStep step) => Path.Combine(Folder, step.Name);
}

/// <summary>
/// One stage of the pipeline, runnable two ways with the same inputs: in this process through the stage's library
/// (<c>llama pipeline</c>, as the stage's verb does), or as a job of the stage's service (the <c>pipeline</c> role,
/// through the same job API every stage offers).
/// </summary>
public abstract class PipelineStep
{
    /// <summary>Folder and state name, e.g. <c>1-curate</c>: ordered so the pipeline's folder reads in order.</summary>
    public abstract string Name { get; }

    /// <summary>One line for progress and the report.</summary>
    public abstract string Title { get; }

    /// <summary>The service role that runs this step's jobs (<c>/api/&lt;role&gt;/jobs</c>).</summary>
    public abstract string Role { get; }

    public abstract Task<StepRecord> RunAsync(PipelineContext context, CancellationToken cancellation);

    /// <summary>
    /// The JSON body of the job to submit to <see cref="Role"/>'s service for this step, written with that stage's
    /// own JSON options (its validator reads it with them).
    /// </summary>
    public abstract string ServiceRequestJson(PipelineContext context);

    /// <summary>
    /// The step's record from its finished job: the job's output folder and primary artifact under the output
    /// names <see cref="RunAsync"/> uses, so later steps read them the same way whichever path ran.
    /// </summary>
    public abstract StepRecord FromServiceJob(ServiceJobOutcome job);
}

/// <summary>A finished stage job as the pipeline sees it.</summary>
public sealed record ServiceJobOutcome(Guid JobId, DateTime StartedAt, DateTime FinishedAt, Guid? RunId, string? Output, Guid? PrimaryArtifactId)
{
    public IReadOnlyList<string> Summary => [$"job {JobId} (run {RunId}) in {(FinishedAt - StartedAt).TotalSeconds:0} s"];
}
