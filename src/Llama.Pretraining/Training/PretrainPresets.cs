using Llama.Core.Training;
using Llama.Pretraining.Optimization;

namespace Llama.Pretraining.Training;

/// <summary>
/// Named recipes. <c>smoke</c> runs in seconds, <c>tiny</c> in about five minutes on 2 CPU cores, <c>small</c> longer;
/// the paper's 8B / 70B / 405B recipes (section 3.4: AdamW, peak LR 3e-4 / 1.5e-4 / 8e-5, 8,000 warm-up steps,
/// cosine to 8e-7 over 1.2M steps, 4M → 8M → 16M tokens per batch, 4K → 8K sequences) are configs too, though they
/// cannot run here.
/// </summary>
public static class PretrainPresets
{
    private static LearningRateSchedule Schedule(double peak, double floor, long warmup, long total, long anneal) => new()
    {
        PeakLearningRate = peak, MinLearningRate = floor, WarmupSteps = warmup, DecaySteps = total - anneal - warmup,
        AnnealSteps = anneal, TotalSteps = total,
    };

    private static readonly Dictionary<string, Func<PretrainConfig>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["smoke"] = () => new PretrainConfig
        {
            Model = "smoke", Schedule = Schedule(3e-3, 3e-4, warmup: 5, total: 40, anneal: 8),
            BatchRamp = BatchRamp.Constant(8 * 64), Context = ContextSchedule.Constant(64),
            EvalEvery = 10, EvalBatches = 2, CheckpointEvery = 20, LogEvery = 5, AnnealCheckpoints = 2,
        },
        ["tiny"] = () => new PretrainConfig
        {
            Model = "tiny", Schedule = Schedule(2e-3, 2e-4, warmup: 30, total: 300, anneal: 40),
            BatchRamp = new BatchRamp([new BatchStage(0, 2_048), new BatchStage(100 * 2_048, 4_096)]),
            Context = new ContextSchedule([new ContextStage(0, 128), new ContextStage(150 * 2_048, 256)]),
            EvalEvery = 25, EvalBatches = 4, CheckpointEvery = 50,
        },
        ["small"] = () => new PretrainConfig
        {
            Model = "small", Schedule = Schedule(1e-3, 1e-4, warmup: 50, total: 600, anneal: 60),
            BatchRamp = new BatchRamp([new BatchStage(0, 4_096), new BatchStage(200 * 4_096, 8_192)]),
            Context = new ContextSchedule([new ContextStage(0, 256), new ContextStage(300 * 4_096, 512)]),
            EvalEvery = 50, CheckpointEvery = 100,
        },
        ["llama3.1-8b"] = () => Paper("llama3.1-8b", 3e-4),
        ["llama3.1-70b"] = () => Paper("llama3.1-70b", 1.5e-4),
        ["llama3.1-405b"] = () => Paper("llama3.1-405b", 8e-5),
    };

    /// <summary>The paper's recipe: 8,000 warm-up steps, cosine to 8e-7 over 1.2M steps, annealing over the last 40M tokens (~3 steps of 16M).</summary>
    private static PretrainConfig Paper(string model, double peak) => new()
    {
        Model = model, Schedule = Schedule(peak, 8e-7, warmup: 8_000, total: 1_200_000, anneal: 3),
        BatchRamp = BatchRamp.Llama3Paper405B,
        Context = new ContextSchedule([new ContextStage(0, 4_096), new ContextStage(252_000_000, 8_192)]),
        MicroBatchSequences = 1, EvalEvery = 1_000, CheckpointEvery = 1_000, AnnealCheckpoints = 3,
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static PretrainConfig Get(string name) => Factories.TryGetValue(name, out var make)
        ? make()
        : throw new ArgumentException($"unknown pretraining preset '{name}' (known: {string.Join(", ", Names)})");
}
