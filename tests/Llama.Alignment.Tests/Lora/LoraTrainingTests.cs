using Llama.Alignment.Data.Synthetic;
using Llama.Alignment.Rounds;
using Llama.Alignment.Sft;
using Llama.Alignment.Tests.EndToEnd;
using Llama.Alignment.Training;
using Llama.Core.Lora;
using Llama.Core.Model;
using Llama.Platform.Configuration;
using static TorchSharp.torch;

namespace Llama.Alignment.Tests.Lora;

public class LoraTrainingTests
{
    /// <summary>Trained names whose weight may change: the targets' projections in every layer.</summary>
    private static bool IsTarget(string name, IReadOnlyList<string> targets) => targets.Any(t => name.EndsWith($".{t}.weight", StringComparison.Ordinal));

    [Fact]
    public void Sft_with_lora_lowers_the_loss_and_changes_the_targets_by_a_low_rank_update_only()
    {
        set_num_threads(1);
        var encoder = TinyChatModel.CreateEncoder();
        // The head is the frozen, tied embedding: drawn from transformers' N(0, 0.02) it caps every logit near ±0.2 and no
        // adapter could lower the loss much; a wider draw stands in for the trained head a real base model has.
        using var model = new LlamaModel(TinyChatModel.CreateConfig(encoder.Tokenizer) with { InitializerRange = 0.3 });
        model.InitializeWeights(seed: 5);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var lora = new LoraOptions { Enabled = true, Rank = 4, Alpha = 8, Targets = ["q_proj", "v_proj", "up_proj", "down_proj"] };
        var examples = new TaskSuite([new DigitCopyTask()]).Sample(false, 200, 1).Select(TaskSuite.ToExample).ToList();

        var result = SftTrainer.Train(model, TinyChatModel.CreateEncoder(), examples, new SftOptions
        {
            RowLength = 96, Lora = lora, Training = new TrainingOptions { LearningRate = 3e-2, Steps = 80, WarmupSteps = 5, BatchSize = 8 },
        });

        Assert.True(result.FinalLoss < result.FirstLoss * 0.8, $"SFT loss {result.FirstLoss:0.000} -> {result.FinalLoss:0.000}");
        Assert.Empty(LoraAdapters.Adapted(model)); // merged: a plain model again
        Assert.Equal(before.Keys.Order(), model.named_parameters().Select(p => p.name).Order()); // a swapped module registers last
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var scope = NewDisposeScope();
            var delta = parameter.detach() - before[name];
            if (!IsTarget(name, lora.Targets))
            {
                Assert.True(delta.abs().max().item<float>() == 0, $"{name} is not a LoRA target but changed");
                continue;
            }
            // W' − W = (alpha/r)·B A has rank ≤ r: singular values past the r-th are float rounding.
            var singular = linalg.svdvals(delta).data<float>().ToArray();
            Assert.True(singular[0] > 1e-3f, $"{name} did not change (largest singular value of the update {singular[0]})");
            Assert.True(singular[lora.Rank] < 1e-4f * singular[0], $"{name}: update has rank > {lora.Rank} (singular values {string.Join(", ", singular.Take(lora.Rank + 2))})");
        }
    }

    [Fact]
    public void Lora_is_off_by_default_and_set_from_the_command_line_like_any_setting()
    {
        Assert.False(new AlignConfig().Sft.Lora.Enabled);
        Assert.Contains("\"lora\"", new AlignConfig().ToJson()); // print-config shows the knobs

        var config = JsonOverrides.Apply(new AlignConfig(),
            ["sft.lora.enabled=true", "sft.lora.rank=16", "sft.lora.alpha=32", "dpo.lora.enabled=true", "dpo.lora.targets=[\"q_proj\",\"o_proj\",\"down_proj\"]"],
            AlignConfig.Json);
        config.Validate();
        Assert.Equal((true, 16, 32.0), (config.Sft.Lora.Enabled, config.Sft.Lora.Rank, config.Sft.Lora.Alpha));
        Assert.Equal(["q_proj", "v_proj"], config.Sft.Lora.Targets);
        Assert.Equal(["q_proj", "o_proj", "down_proj"], config.Dpo.Lora.Targets);
    }

    [Theory]
    [InlineData("sft", "rank=0", "sft.lora.rank (0) must be > 0")]
    [InlineData("dpo", "targets=[\"q_proj\",\"attn\"]", "dpo.lora.targets: unknown projection 'attn' (known: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)")]
    [InlineData("sft", "dropout=1", "sft.lora.dropout (1) must be in [0, 1)")]
    public void A_bad_lora_setting_is_refused_with_its_path(string stage, string assignment, string message)
    {
        var config = JsonOverrides.Apply(new AlignConfig(), [$"{stage}.lora.enabled=true", $"{stage}.lora.{assignment}"], AlignConfig.Json);
        var error = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal(message, error.Message);
    }
}
