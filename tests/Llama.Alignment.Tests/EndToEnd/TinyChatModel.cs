using Llama.Alignment.Data;
using Llama.Alignment.Data.Synthetic;
using Llama.Alignment.Sft;
using Llama.Alignment.Training;
using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Tokenization;

namespace Llama.Alignment.Tests.EndToEnd;

/// <summary>
/// Shared by the end-to-end tests: a randomly initialised two-layer model (the "base", which cannot answer) saved to a
/// folder, and a copy of it fine-tuned on the digit-copy task, with the held-out accuracy of both.
/// </summary>
public sealed class TinyChatModel : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("llama-align-e2e-").FullName;
    public string BaseDirectory => Path.Combine(Root, "base");
    public string SftDirectory => Path.Combine(Root, "sft");
    public ChatEncoder Encoder { get; }
    public TaskSuite Suite { get; } = new([new DigitCopyTask()]);
    public double BaseAccuracy { get; }
    public double SftAccuracy { get; }
    public SftResult Sft { get; }
    /// <summary>How long building the fixture took (printed by a failing test, to tell slowness from failure).</summary>
    public TimeSpan SetupTime { get; }

    public IReadOnlyList<TaskPrompt> HeldOutPrompts => Suite.Sample(true, 40, 5).Select(TaskSuite.ToPrompt).ToList();
    public IReadOnlyList<PreferencePair> HeldOutPairs => Suite.Sample(true, 40, 6).SelectMany(i => TaskSuite.ToPairs(i, 2)).ToList();
    public IReadOnlyList<PreferencePair> TrainPairs => Suite.Sample(false, 300, 7).SelectMany(i => TaskSuite.ToPairs(i, 2)).ToList();

    public TinyChatModel()
    {
        // One thread: the model is tiny, and on a busy machine a second spinning OpenMP thread costs more than it gives.
        TorchSharp.torch.set_num_threads(1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Encoder = CreateEncoder();
        var config = CreateConfig(Encoder.Tokenizer);
        using (var model = new LlamaModel(config))
        {
            model.InitializeWeights(seed: 3);
            LlamaDirectory.Save(model, BaseDirectory, Encoder.Tokenizer);
            BaseAccuracy = Accuracy(model);
            var examples = Suite.Sample(false, 600, 1).Select(TaskSuite.ToExample).ToList();
            Sft = SftTrainer.Train(model, Encoder, examples, new SftOptions
            {
                RowLength = 96, Training = new TrainingOptions { LearningRate = 3e-3, Steps = 300, WarmupSteps = 20, BatchSize = 8 },
            });
            SftAccuracy = Accuracy(model);
            LlamaDirectory.Save(model, SftDirectory, Encoder.Tokenizer);
        }
        SetupTime = clock.Elapsed;
    }

    /// <summary>A BPE tokenizer over letters only: digits stay single-byte tokens.</summary>
    public static ChatEncoder CreateEncoder() => new(BpeTrainer.TrainFromTexts(
        Enumerable.Repeat("user assistant system Repeat: none. The model repeats what the user says.", 20), new BpeTrainerOptions(320)));

    /// <summary>Two layers of width 64 with grouped-query attention and a tied head.</summary>
    public static LlamaConfig CreateConfig(Llama3Tokenizer tokenizer) => new()
    {
        VocabSize = tokenizer.VocabSize, HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4,
        NumKeyValueHeads = 2, MaxPositionEmbeddings = 96, RopeTheta = 10000, TieWordEmbeddings = true,
        BosTokenId = tokenizer.BosId, EosTokenId = [tokenizer.EosId, tokenizer.EotId],
    };

    public double Accuracy(LlamaModel model) =>
        Evaluation.TaskAccuracy.Measure(model, Encoder, HeldOutPrompts, maxNewTokens: 6).Single().Accuracy;

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
