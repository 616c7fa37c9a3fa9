using Llama.Alignment.Rounds;

namespace Llama.Cli.Pipeline;

/// <summary>
/// How big a pipeline run is. <c>smoke</c> checks the whole chain quickly on 2 cores (a slice of the corpus, the smoke
/// model, a handful of steps per stage, a few evaluation items); <c>tiny</c> is the README's run (the whole demo
/// corpus, the tiny model). Each field maps onto a stage's own preset or config.
/// </summary>
public sealed record PipelinePreset
{
    public required string Name { get; init; }

    /// <summary>Inputs under the data folder's <c>corpus/</c> to curate.</summary>
    public required IReadOnlyList<string> CorpusInputs { get; init; }

    /// <summary>BPE ranks the curation stage trains (specials come on top).</summary>
    public required int TokenizerVocabSize { get; init; }

    /// <summary>A <c>llama pretrain --preset</c> name, and steps to train (null: the preset's own).</summary>
    public required string PretrainPreset { get; init; }
    public long? PretrainSteps { get; init; }

    /// <summary>Alignment: null runs the stage's defaults; smoke shrinks every stage to a few steps and items.</summary>
    public Func<AlignConfig, AlignConfig>? SizeAlignment { get; init; }

    /// <summary>Held-out tokens and greedy prompts the FP8 quality check measures.</summary>
    public int QuantizeQualityTokens { get; init; } = 4096;
    public int QuantizeQualityPrompts { get; init; } = 4;

    /// <summary>Evaluation tasks run on every model the pipeline makes, and items per task (null: all).</summary>
    public required IReadOnlyList<string> EvaluationTasks { get; init; }
    public int? EvaluationLimit { get; init; }

    public static readonly IReadOnlyDictionary<string, PipelinePreset> All = new Dictionary<string, PipelinePreset>
    {
        ["smoke"] = new()
        {
            Name = "smoke", CorpusInputs = ["austen/pride-and-prejudice"], TokenizerVocabSize = 1024, PretrainPreset = "smoke",
            SizeAlignment = c => c with
            {
                SftItemsPerTask = 40, PairItemsPerTask = 16, RejectionPromptsPerTask = 2, EvalItemsPerTask = 8, EvalPairItemsPerTask = 8,
                Sft = c.Sft with { Training = c.Sft.Training with { Steps = 8 } },
                Reward = c.Reward with { Training = c.Reward.Training with { Steps = 4 } },
                RejectionSampling = c.RejectionSampling with { SamplesPerPrompt = 4 },
                Dpo = c.Dpo with { Training = c.Dpo.Training with { Steps = 4 } },
            },
            QuantizeQualityTokens = 512, QuantizeQualityPrompts = 1,
            EvaluationTasks = ["quiz", "cloze", "perplexity-prose"], EvaluationLimit = 8,
        },
        ["tiny"] = new()
        {
            Name = "tiny", CorpusInputs = ["."], TokenizerVocabSize = 8192, PretrainPreset = "tiny",
            EvaluationTasks = ["quiz", "cloze", "next-sentence", "arithmetic", "perplexity-prose"], EvaluationLimit = 100,
        },
    };

    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static PipelinePreset Get(string name) => All.TryGetValue(name, out var preset)
        ? preset
        : throw new ArgumentException($"unknown pipeline preset '{name}'; known presets: {string.Join(", ", All.Keys)}");
}
