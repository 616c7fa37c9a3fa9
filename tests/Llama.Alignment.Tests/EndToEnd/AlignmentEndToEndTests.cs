using Llama.Alignment.Data;
using Llama.Alignment.Data.Synthetic;
using Llama.Alignment.Dpo;
using Llama.Alignment.RejectionSampling;
using Llama.Alignment.RewardModel;
using Llama.Alignment.Training;
using Llama.Core;
using Llama.Core.Tokenization;

namespace Llama.Alignment.Tests.EndToEnd;

/// <summary>The stages on a model trained in the test: each must measurably change what the model does.</summary>
public class AlignmentEndToEndTests(TinyChatModel tiny) : IClassFixture<TinyChatModel>
{
    [Fact]
    public void Sft_lifts_held_out_accuracy_far_above_the_base_model()
    {
        Assert.True(tiny.Sft.FinalLoss < tiny.Sft.FirstLoss / 3, $"SFT loss {tiny.Sft.FirstLoss:0.000} -> {tiny.Sft.FinalLoss:0.000} (setup {tiny.SetupTime})");
        Assert.True(tiny.BaseAccuracy <= 0.05, $"base accuracy {tiny.BaseAccuracy:P0}");
        Assert.True(tiny.SftAccuracy >= 0.6, $"SFT held-out accuracy {tiny.SftAccuracy:P0} (base {tiny.BaseAccuracy:P0}; loss {tiny.Sft.FirstLoss:0.000} -> {tiny.Sft.FinalLoss:0.000}, setup {tiny.SetupTime})");
    }

    [Fact]
    public void Dpo_raises_held_out_preference_accuracy_and_margin_over_the_sft_reference()
    {
        using var policy = LlamaDirectory.Load(tiny.SftDirectory);
        using var reference = LlamaDirectory.Load(tiny.SftDirectory);
        var before = DpoTrainer.Evaluate(policy, reference, tiny.Encoder, tiny.HeldOutPairs, 0.1);
        Assert.Equal(0, before.RewardMargin, 6);   // the reference against itself

        var options = new DpoOptions { Training = new TrainingOptions { LearningRate = 1e-3, Steps = 40, WarmupSteps = 3, BatchSize = 8 } };
        var result = DpoTrainer.Train(policy, tiny.Encoder, tiny.TrainPairs, options);
        var after = DpoTrainer.Evaluate(policy, reference, tiny.Encoder, tiny.HeldOutPairs, 0.1);

        Assert.True(result.FinalLoss < result.FirstLoss, $"DPO loss {result.FirstLoss:0.000} -> {result.FinalLoss:0.000}");
        Assert.True(after.RewardMargin > 0.5, $"held-out reward margin {after.RewardMargin:0.000}");
        Assert.True(after.RewardAccuracy >= 0.75, $"held-out reward accuracy {after.RewardAccuracy:P0}");
        Assert.True(after.LogProbMargin > before.LogProbMargin, $"log-prob margin {before.LogProbMargin:0.00} -> {after.LogProbMargin:0.00}");
    }

    [Fact]
    public void Dpo_with_lora_raises_the_held_out_margin_and_saves_a_plain_checkpoint()
    {
        using var policy = LlamaDirectory.Load(tiny.SftDirectory);
        using var reference = LlamaDirectory.Load(tiny.SftDirectory);
        var options = new DpoOptions
        {
            Training = new TrainingOptions { LearningRate = 5e-3, Steps = 40, WarmupSteps = 3, BatchSize = 8 },
            Lora = new LoraOptions { Enabled = true, Rank = 4, Alpha = 8, Targets = ["q_proj", "v_proj", "o_proj", "down_proj"] },
        };
        var result = DpoTrainer.Train(policy, tiny.Encoder, tiny.TrainPairs, options);
        var after = DpoTrainer.Evaluate(policy, reference, tiny.Encoder, tiny.HeldOutPairs, 0.1);
        Assert.True(result.FinalLoss < result.FirstLoss, $"DPO loss {result.FirstLoss:0.000} -> {result.FinalLoss:0.000}");
        Assert.True(after.RewardMargin > 0.1 && after.RewardAccuracy >= 0.6, $"held-out reward margin {after.RewardMargin:0.000}, accuracy {after.RewardAccuracy:P0}");

        // Merged, it is an ordinary checkpoint that loads and scores the same.
        string folder = Path.Combine(tiny.Root, "dpo-lora");
        LlamaDirectory.Save(policy, folder, tiny.Encoder.Tokenizer);
        using var loaded = LlamaDirectory.Load(folder);
        Assert.Equal(after.RewardMargin, DpoTrainer.Evaluate(loaded, reference, tiny.Encoder, tiny.HeldOutPairs, 0.1).RewardMargin, 4);
    }

    [Fact]
    public void Scored_once_preferences_split_by_task_as_each_task_scored_alone()
    {
        using var sft = LlamaDirectory.Load(tiny.SftDirectory);
        var pairs = tiny.HeldOutPairs.Select((p, i) => p with { Task = i % 3 == 0 ? "first" : "second" }).ToList();

        var scores = DpoTrainer.Score(sft, tiny.Encoder, pairs);
        var metrics = DpoTrainer.Compare(scores, null, 0.1);

        Assert.Equal(["first", "second"], metrics.LogProbAccuracyByTask!.Keys.Order());
        foreach (var (task, accuracy) in metrics.LogProbAccuracyByTask)
            Assert.Equal(DpoTrainer.Evaluate(sft, null, tiny.Encoder, pairs.Where(p => p.Task == task).ToList(), 0.1).LogProbAccuracy, accuracy, 9);
        var whole = DpoTrainer.Evaluate(sft, null, tiny.Encoder, pairs, 0.1);
        Assert.Equal((whole.Pairs, whole.LogProbAccuracy, whole.LogProbMargin), (metrics.Pairs, metrics.LogProbAccuracy, metrics.LogProbMargin));
        Assert.Throws<ArgumentException>(() => DpoTrainer.Compare(scores, DpoTrainer.Score(sft, tiny.Encoder, pairs.Skip(1).ToList()), 0.1));
    }

    [Fact]
    public void Preference_accuracy_scores_whole_replies_so_an_answer_cut_short_loses()
    {
        // "12" against "123": over the reply content alone the longer reply always has the lower log-probability (one
        // more token); only the eot that closes "12" too early tells a model that copies three digits from one that stops.
        using var sft = LlamaDirectory.Load(tiny.SftDirectory);
        var pairs = tiny.Suite.Sample(true, 40, 6)
            .Select(i => new PreferencePair(i.Id, i.Task, [new ChatMessage("user", i.Question)], i.Answer, i.Answer[..2])).ToList();
        var metrics = DpoTrainer.Evaluate(sft, null, tiny.Encoder, pairs, 0.1);
        Assert.True(metrics.LogProbAccuracy >= 0.75 && metrics.LogProbMargin > 0,
            $"SFT model (held-out accuracy {tiny.SftAccuracy:P0}) prefers the whole answer in {metrics.LogProbAccuracy:P0} of pairs, margin {metrics.LogProbMargin:0.00}");
        Assert.Equal(0, metrics.RewardMargin, 6);   // no reference: no implicit reward
    }

    [Fact]
    public void Reward_model_learns_to_rank_held_out_pairs()
    {
        using var rm = RewardModel.RewardModel.FromLanguageModel(tiny.SftDirectory, seed: 2);
        var untrained = RewardTrainer.Evaluate(rm, tiny.Encoder, tiny.HeldOutPairs);
        var options = new RewardOptions { Training = new TrainingOptions { LearningRate = 1e-3, Steps = 40, WarmupSteps = 4, BatchSize = 8 } };
        var result = RewardTrainer.Train(rm, tiny.Encoder, tiny.TrainPairs, options);
        var trained = RewardTrainer.Evaluate(rm, tiny.Encoder, tiny.HeldOutPairs);
        Assert.True(result.FinalLoss < result.FirstLoss, $"Bradley-Terry loss {result.FirstLoss:0.000} -> {result.FinalLoss:0.000}");
        Assert.True(trained.Accuracy >= 0.75 && trained.Accuracy > untrained.Accuracy, $"held-out accuracy {untrained.Accuracy:P0} -> {trained.Accuracy:P0}");

        // Saved in the HF sequence-classification layout and loaded back, it scores the same.
        string folder = Path.Combine(tiny.Root, "rm");
        rm.Save(folder, tiny.Encoder.Tokenizer);
        using var loaded = RewardModel.RewardModel.Load(folder);
        Assert.Equal(trained.MeanMargin, RewardTrainer.Evaluate(loaded, tiny.Encoder, tiny.HeldOutPairs).MeanMargin, 4);
    }

    [Fact]
    public void Rejection_sampling_keeps_only_verified_replies_and_pairs_them_with_worse_ones()
    {
        using var policy = LlamaDirectory.Load(tiny.SftDirectory);
        var prompts = tiny.Suite.Sample(false, 6, 9).Select(TaskSuite.ToPrompt).ToList();
        var result = RejectionSampler.Run(policy, null, tiny.Encoder, prompts,
            new RejectionSamplingOptions { SamplesPerPrompt = 6, Temperature = 1.5, MaxNewTokens = 6 });

        Assert.Equal(36, result.Samples);
        Assert.NotEmpty(result.Kept);
        Assert.All(result.Kept, e => Assert.True(AnswerVerifier.IsCorrect(e.Messages[^1].Content, prompts.Single(p => e.Id == p.Id + "#rs").Accepted)));
        Assert.All(result.Pairs, p => Assert.False(AnswerVerifier.IsCorrect(p.Rejected, prompts.Single(q => p.Id == q.Id + "#rs").Accepted)));
    }
}
