using Llama.Core.Training;
using System.Text.Json;
using System.Text.Json.Serialization;
using Llama.Core.Config;
using Llama.Pretraining.Optimization;

namespace Llama.Pretraining.Training;

/// <summary>
/// One typed run config (torchtitan's job config): the model shape, the schedule, batch and context ramps, the
/// data mix (and the annealing mix), evaluation and checkpoint cadence. Read from JSON and from presets; CLI flags
/// override single fields. Property names are camelCase.
/// </summary>
public sealed record PretrainConfig
{
    /// <summary>Model preset (<see cref="LlamaPresets"/>); its vocabulary is replaced by the data's tokenizer.</summary>
    public string Model { get; init; } = "tiny";
    public long Seed { get; init; } = 1234;
    public required LearningRateSchedule Schedule { get; init; }
    public required BatchRamp BatchRamp { get; init; }
    public required ContextSchedule Context { get; init; }

    /// <summary>Most sequences in one forward/backward: larger batches are accumulated over several micro-batches.</summary>
    public int MicroBatchSequences { get; init; } = 8;
    public double ClipNorm { get; init; } = 1.0;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Domain weights for pretraining (the paper: 50% general, 25% math, 17% code, 8% multilingual).</summary>
    public IReadOnlyDictionary<string, double> Mix { get; init; } = Llama3Mix;

    /// <summary>The annealing mix: high-quality sources up-weighted (the paper anneals on an up-weighted mix).</summary>
    public IReadOnlyDictionary<string, double> AnnealMix { get; init; } = new Dictionary<string, double>
    {
        ["general"] = 0.4, ["math"] = 0.3, ["code"] = 0.25, ["multilingual"] = 0.05,
    };

    /// <summary>Checkpoints spread over the annealing phase whose average (Polyak) becomes the final model.</summary>
    public int AnnealCheckpoints { get; init; } = 3;

    public int EvalEvery { get; init; } = 50;
    public int EvalBatches { get; init; } = 4;
    public int CheckpointEvery { get; init; } = 100;
    public int KeepCheckpoints { get; init; } = 2;
    public int LogEvery { get; init; } = 10;

    /// <summary>Fraction of documents held out for validation loss (by a hash of the document id).</summary>
    public double ValidationFraction { get; init; } = 0.02;

    public static readonly IReadOnlyDictionary<string, double> Llama3Mix = new Dictionary<string, double>
    {
        ["general"] = 0.50, ["math"] = 0.25, ["code"] = 0.17, ["multilingual"] = 0.08,
    };

    [JsonIgnore] public long TotalSteps => Schedule.TotalSteps;

    public AdamWOptions OptimizerOptions => new(Beta1, Beta2, 1e-8, WeightDecay);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static PretrainConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found");
        try
        {
            var config = JsonSerializer.Deserialize<PretrainConfig>(File.ReadAllText(path), Json) ?? throw new ArgumentException($"{path}: empty config");
            config.Validate(path);
            return config;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path}: invalid pretraining config{(string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path.TrimStart('$', '.')}")}: {e.Message}", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Validate(string source = "config")
    {
        if (!LlamaPresets.TryGet(Model, out _)) throw new ArgumentException($"{source}: model '{Model}' is not a preset ({string.Join(", ", LlamaPresets.Names)})");
        Schedule.Validate();
        BatchRamp.Validate();
        Context.Validate();
        if (MicroBatchSequences <= 0) throw new ArgumentException($"{source}: microBatchSequences ({MicroBatchSequences}) must be positive");
        if (!(ClipNorm > 0)) throw new ArgumentException($"{source}: clipNorm ({ClipNorm}) must be positive");
        if (EvalEvery <= 0 || CheckpointEvery <= 0 || LogEvery <= 0 || EvalBatches <= 0)
            throw new ArgumentException($"{source}: evalEvery, evalBatches, checkpointEvery and logEvery must be positive");
        if (AnnealCheckpoints < 1) throw new ArgumentException($"{source}: annealCheckpoints ({AnnealCheckpoints}) must be at least 1");
        if (Schedule.AnnealSteps > 0 && AnnealCheckpoints > Schedule.AnnealSteps)
            throw new ArgumentException($"{source}: annealCheckpoints ({AnnealCheckpoints}) exceeds the annealing steps ({Schedule.AnnealSteps})");
        if (!(ValidationFraction > 0 && ValidationFraction < 0.5)) throw new ArgumentException($"{source}: validationFraction ({ValidationFraction}) must be in (0, 0.5)");
        foreach (var (name, mix) in new[] { ("mix", Mix), ("annealMix", AnnealMix) })
            if (mix.Count == 0 || mix.Values.Any(w => !(w >= 0)) || mix.Values.Sum() <= 0)
                throw new ArgumentException($"{source}: {name} needs non-negative weights that sum to more than 0");
        int context = LlamaPresets.Get(Model).MaxPositionEmbeddings;
        if (Context.MaxSequenceLength > context)
            throw new ArgumentException($"{source}: the context schedule reaches {Context.MaxSequenceLength} tokens, beyond model '{Model}''s {context}");
    }
}
