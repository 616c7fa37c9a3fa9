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

/// <summary>One stage of <c>llama pipeline</c>: calls that stage's library entry point, as its verb does.</summary>
public abstract class PipelineStep
{
    /// <summary>Folder and state name, e.g. <c>1-curate</c>: ordered so the pipeline's folder reads in order.</summary>
    public abstract string Name { get; }

    /// <summary>One line for progress and the report.</summary>
    public abstract string Title { get; }

    public abstract Task<StepRecord> RunAsync(PipelineContext context, CancellationToken cancellation);
}
