using System.Text.Json;
using System.Text.Json.Serialization;
using Llama.Alignment.Dpo;
using Llama.Alignment.RejectionSampling;
using Llama.Alignment.RewardModel;
using Llama.Alignment.Sft;

namespace Llama.Alignment.Rounds;

/// <summary>
/// One alignment run: which data, how many rounds, and each stage's settings. The default sizing runs one round on the
/// tiny model in a few minutes on 2 CPU cores; the paper ran six rounds (section 4.1).
/// </summary>
public sealed record AlignConfig
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Synthetic and real tasks (<see cref="Data.Synthetic.TaskSuite.Known"/>).</summary>
    public IReadOnlyList<string> Tasks { get; init; } = ["arithmetic", "units", "quiz"];
    /// <summary>The folder with the quiz, FAQ and doctest files (the repository's data/heldout).</summary>
    public string DataFolder { get; init; } = Path.Combine("data", "heldout");
    public double HeldOutFraction { get; init; } = 0.2;
    /// <summary>Extra SFT conversations (JSONL with messages).</summary>
    public string? SftJsonl { get; init; }
    /// <summary>Extra preference pairs (JSONL with prompt/chosen/rejected).</summary>
    public string? PreferencesJsonl { get; init; }

    public int Rounds { get; init; } = 1;
    /// <summary>Average the DPO models of all rounds into the final model (Polyak; the paper averages across runs).</summary>
    public bool AverageCheckpoints { get; init; }
    public int SftItemsPerTask { get; init; } = 600;
    public int PairItemsPerTask { get; init; } = 300;
    public int WrongAnswersPerItem { get; init; } = 2;
    public int RejectionPromptsPerTask { get; init; } = 16;
    /// <summary>Held-out prompts per task for exact match (greedy generation, the slow measurement).</summary>
    public int EvalItemsPerTask { get; init; } = 60;
    /// <summary>
    /// Held-out items per task whose preference pairs are scored (a forward pass each, cheap), each with
    /// <see cref="WrongAnswersPerItem"/> wrong answers like the training pairs. The default takes every held-out item
    /// of the default tasks (523 pairs), so a few points of preference accuracy are not one run's noise.
    /// </summary>
    public int EvalPairItemsPerTask { get; init; } = 200;
    public int EvalMaxNewTokens { get; init; } = 12;
    public int Seed { get; init; } = 1;

    public SftOptions Sft { get; init; } = new();
    public RewardOptions Reward { get; init; } = new();
    public RejectionSamplingOptions RejectionSampling { get; init; } = new();
    public DpoOptions Dpo { get; init; } = new();

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AlignConfig Load(string path) =>
        JsonSerializer.Deserialize<AlignConfig>(File.ReadAllText(path), Json) ?? throw new ArgumentException($"{path}: empty config");

    public void Validate()
    {
        if (Rounds <= 0) throw new ArgumentException($"rounds ({Rounds}) must be > 0");
        if (Tasks.Count == 0 && SftJsonl is null) throw new ArgumentException("tasks is empty and no sftJsonl is given: nothing to train on");
        if (!(HeldOutFraction > 0 && HeldOutFraction < 1)) throw new ArgumentException($"heldOutFraction ({HeldOutFraction}) must be in (0, 1)");
        if (WrongAnswersPerItem <= 0) throw new ArgumentException($"wrongAnswersPerItem ({WrongAnswersPerItem}) must be > 0");
        if (EvalItemsPerTask < 0 || EvalPairItemsPerTask < 0) throw new ArgumentException("evalItemsPerTask and evalPairItemsPerTask must be >= 0");
        Sft.Validate();
        Reward.Training.Validate("reward.training");
        RejectionSampling.Validate();
        Dpo.Validate();
    }
}
