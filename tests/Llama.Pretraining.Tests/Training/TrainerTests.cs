using Llama.Core.Checkpoints;
using Llama.Core.Training;
using Llama.Core;
using Llama.Pretraining.Checkpointing;
using Llama.Pretraining.Optimization;
using Llama.Pretraining.Training;
using static TorchSharp.torch;

namespace Llama.Pretraining.Tests.Training;

/// <summary>The training loop end to end through <see cref="PretrainRunner"/>, on the smoke model.</summary>
public sealed class TrainerTests : IDisposable
{
    private readonly TrainingData _data = new();
    private readonly string _out = Directory.CreateTempSubdirectory("llama-pt-out-").FullName;

    public void Dispose()
    {
        _data.Dispose();
        Directory.Delete(_out, recursive: true);
    }

    private static PretrainConfig Config(long steps = 30, double peak = 3e-3) => PretrainPresets.Get("smoke") with
    {
        Schedule = new LearningRateSchedule { PeakLearningRate = peak, MinLearningRate = peak / 10, WarmupSteps = 4, DecaySteps = steps - 4 - 6, AnnealSteps = 6, TotalSteps = steps },
        BatchRamp = BatchRamp.Constant(4 * 64), Context = ContextSchedule.Constant(64), MicroBatchSequences = 2,
        EvalEvery = 10, CheckpointEvery = 5, AnnealCheckpoints = 3, ValidationFraction = 0.1,
        Mix = new Dictionary<string, double> { ["general"] = 1 }, AnnealMix = new Dictionary<string, double> { ["general"] = 1, ["code"] = 1 },
    };

    private Task<PretrainOutcome> Run(PretrainConfig config, string folder, bool resume = false, IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default) =>
        PretrainRunner.RunAsync(new PretrainRequest(_data.Root, config, Path.Combine(_out, folder), resume), platform: null, progress, cancellation);

    [Fact]
    public async Task The_loss_falls_well_below_the_unigram_baseline_on_learnable_text()
    {
        var outcome = await Run(Config(steps: 60), "learn");
        var losses = outcome.Report.TrainLoss.Select(p => p.Loss).ToList();
        Assert.True(losses.TakeLast(5).Average() < 0.6 * losses.Take(3).Average(), $"first {losses[0]:0.00}, last {losses[^1]:0.00}");
        Assert.True(outcome.Report.FinalValidationLoss < outcome.Report.UnigramBaseline, $"{outcome.Report.FinalValidationLoss} vs unigram {outcome.Report.UnigramBaseline}");
        Assert.True(File.Exists(Path.Combine(outcome.ModelDirectory, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(_out, "learn", "loss.png")));
        // What it writes is made of the training text's words, and the report shows it.
        Assert.NotEmpty(outcome.Report.Samples);
        double untrained = UntrainedKnownWordRate(outcome.ModelDirectory);
        Assert.True(outcome.Report.KnownWordRate > untrained + 0.2,
            $"known-word rate {outcome.Report.KnownWordRate:P0} (untrained {untrained:P0}): {outcome.Report.Samples[0].Continuation}");
        Assert.Contains(outcome.Report.Samples[0].Prompt, File.ReadAllText(Path.Combine(_out, "learn", "report.md")));
    }

    /// <summary>The known-word rate of the same architecture with its initial weights, on the same held-out openings.</summary>
    private double UntrainedKnownWordRate(string trainedModelDirectory)
    {
        using var model = Llama.Core.LlamaDirectory.Load(trainedModelDirectory);
        model.InitializeWeights(seed: 1);
        var documents = Pretraining.Data.TokenShardSet.Open(_data.Root).Documents;
        var samples = TextSamples.Generate(model, _data.Tokenizer, documents, seed: 1, count: 6);
        return TextSamples.KnownWordRate(samples, documents.Select(d => _data.Tokenizer.Decode(d.Tokens)));
    }

    [Fact]
    public void The_known_word_rate_counts_sampled_words_found_in_the_training_text()
    {
        TextSample[] samples = [new("d1", "ignored prompt words", "The cat, zzq!"), new("d2", "", "sat\nqqx Über")];
        Assert.Equal(4 / 6.0, TextSamples.KnownWordRate(samples, ["the Cat sat", "über alles"]), 12);
        Assert.True(double.IsNaN(TextSamples.KnownWordRate([new("d", "p", " 123 ")], ["x"])));
    }

    [Fact]
    public async Task A_run_stopped_mid_way_and_resumed_gives_the_same_losses_step_for_step()
    {
        var uninterrupted = await Run(Config(), "whole");

        using var stop = new CancellationTokenSource();
        var stopAt17 = new SynchronousProgress<TrainingStep>(s => { if (s.Step == 17) stop.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Config(), "crashed", progress: stopAt17, cancellation: stop.Token));
        var resumed = await Run(Config(), "crashed", resume: true);

        Assert.Equal(uninterrupted.Report.TrainLoss, resumed.Report.TrainLoss);
        Assert.Equal(uninterrupted.Report.ValidationLoss, resumed.Report.ValidationLoss);
    }

    [Fact]
    public async Task Annealing_takes_the_rate_to_zero_switches_the_mix_and_the_final_model_is_the_average()
    {
        var rates = new List<double>();
        var outcome = await Run(Config(), "anneal", progress: new SynchronousProgress<TrainingStep>(s => rates.Add(s.LearningRate)));
        Assert.Equal(0.0, rates[^1]);
        Assert.True(rates[^7] > 0);

        var store = new TrainingCheckpointStore(Path.Combine(_out, "anneal", "checkpoints"));
        var steps = outcome.Report.AveragedCheckpoints;
        Assert.Equal(3, steps.Count);
        using (var last = store.Load(steps.Max()))
            Assert.Equal(new[] { "code", "general" }, last.ParseTrainerState()["sampler"]!["mixWeights"]!.AsObject().Select(p => p.Key).Order());

        // The exported weights equal the mean of the annealing checkpoints, computed here independently.
        using var exported = SafetensorsReader.Open(Path.Combine(outcome.ModelDirectory, "model.safetensors"));
        var checkpoints = steps.Select(s => store.Load(s)).ToList();
        try
        {
            foreach (var name in new[] { "model.layers.0.mlp.up_proj.weight", "model.norm.weight", "lm_head.weight" })
            {
                var mean = checkpoints.Select(c => c.Model.ReadTensor(name).to(ScalarType.Float64)).Aggregate((a, b) => a + b) / checkpoints.Count;
                var actual = exported.ReadTensor(name).to(ScalarType.Float64);
                Assert.True((mean - actual).abs().max().item<double>() < 1e-6, name);
            }
        }
        finally { foreach (var c in checkpoints) c.Dispose(); }
    }

    [Fact]
    public async Task A_diverging_run_stops_with_a_clear_message_and_keeps_its_last_good_checkpoint()
    {
        // Healthy until step 12 (checkpoints at 5 and 10), then resumed with a learning rate that blows up.
        using var stop = new CancellationTokenSource();
        var stopAt12 = new SynchronousProgress<TrainingStep>(s => { if (s.Step == 12) stop.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Config(), "diverge", progress: stopAt12, cancellation: stop.Token));
        var error = await Assert.ThrowsAsync<TrainingDivergedException>(() => Run(Config(peak: 1e6), "diverge", resume: true));

        Assert.Contains("training stopped", error.Message);
        Assert.Contains("step 10", error.Message);
        var store = new TrainingCheckpointStore(Path.Combine(_out, "diverge", "checkpoints"));
        Assert.Equal(10, store.Latest()!.Step);
        using var loaded = store.Load(10);   // still loadable, checksums verified
        Assert.Equal(10, loaded.ParseTrainerState()["step"]!.GetValue<long>());
    }

    [Fact]
    public async Task Shards_from_another_tokenizer_are_refused_before_training()
    {
        using var bad = new TrainingData(badTokenId: 100_000);
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            PretrainRunner.RunAsync(new PretrainRequest(bad.Root, Config(), Path.Combine(_out, "bad")), null));
        Assert.Contains("doc-003", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_out, "bad", "checkpoints")) && Directory.EnumerateDirectories(Path.Combine(_out, "bad", "checkpoints")).Any());
    }
}
