using System.Text.Json;
using System.Text.Json.Serialization;

namespace Llama.Cli.Pipeline;

/// <summary>What one pipeline step left behind: where its outputs are, their artifact ids, scores and a summary.</summary>
public sealed record StepRecord
{
    public DateTime StartedAt { get; init; }
    public DateTime FinishedAt { get; init; }

    /// <summary>Named outputs: folders (<c>model</c>, <c>data</c>, ...) and artifact ids (<c>model-artifact</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Numbers the final report compares (validation loss, accuracy, perplexity change, ...).</summary>
    public IReadOnlyDictionary<string, double> Scores { get; init; } = new Dictionary<string, double>();

    /// <summary>Lines for the final report.</summary>
    public IReadOnlyList<string> Summary { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore] public double Seconds => (FinishedAt - StartedAt).TotalSeconds;
}

/// <summary>
/// <c>pipeline.json</c> in the pipeline's folder: the preset it was started with and every finished step. A step
/// is recorded only once it has finished, and the file is replaced atomically, so a pipeline killed at any point
/// and started again skips exactly the finished steps (the unfinished one resumes through its own checkpoints).
/// </summary>
public sealed class PipelineState
{
    public const string FileName = "pipeline.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public required string Preset { get; init; }

    public Dictionary<string, StepRecord> Steps { get; init; } = [];

    /// <summary>
    /// Stage jobs of steps that have not finished, recorded before each is submitted: a restarted pipeline submits
    /// again under the same id, which the stage service recognises, and waits for that job.
    /// </summary>
    public Dictionary<string, Guid> PendingJobs { get; init; } = [];

    [JsonIgnore] public string Path { get; private set; } = "";

    /// <summary>Reads the state of <paramref name="folder"/>, or starts a new one for <paramref name="preset"/>.</summary>
    /// <exception cref="InvalidOperationException">The folder holds a pipeline started with another preset.</exception>
    public static PipelineState LoadOrCreate(string folder, string preset)
    {
        var path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path)) return new PipelineState { Preset = preset, Path = path };
        PipelineState state;
        try
        {
            state = JsonSerializer.Deserialize<PipelineState>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is not a pipeline state ({e.Message}); delete it or choose another --out");
        }
        if (state.Preset != preset)
            throw new InvalidOperationException(
                $"{folder} holds a pipeline started with preset '{state.Preset}'; run it with --preset {state.Preset}, or choose another --out");
        state.Path = path;
        return state;
    }

    public bool IsDone(string step) => Steps.ContainsKey(step);

    /// <summary>The output <paramref name="name"/> of finished step <paramref name="step"/>.</summary>
    /// <exception cref="InvalidOperationException">The step has not finished or has no such output (a step ordering bug).</exception>
    public string Output(string step, string name) =>
        Steps.TryGetValue(step, out var record) && record.Outputs.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"the pipeline step '{step}' has no output '{name}' (has it run?)");

    public string? OptionalOutput(string step, string name) =>
        Steps.TryGetValue(step, out var record) && record.Outputs.TryGetValue(name, out var value) ? value : null;

    /// <summary>Records a finished step and writes the state.</summary>
    public void Finish(string step, StepRecord record)
    {
        Steps[step] = record;
        PendingJobs.Remove(step);
        Save();
    }

    /// <summary>Records the id of the stage job about to be submitted for <paramref name="step"/> and writes the state.</summary>
    public void Submitting(string step, Guid job)
    {
        PendingJobs[step] = job;
        Save();
    }

    /// <summary>Writes the state: to a temporary file, then renamed over the old one, so a crash leaves one or the other.</summary>
    private void Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, Path, overwrite: true);
    }
}
