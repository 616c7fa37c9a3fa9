using Llama.Alignment.RejectionSampling;
using Llama.Alignment.RewardModel;
using Llama.Alignment.Rounds;
using Llama.Alignment.Stages;
using Llama.Alignment.Training;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Alignment.Tests.EndToEnd;

/// <summary>Single stages recorded as align records its steps: a reward model, then rejection sampling judged by it.</summary>
public class StageRunnerTests(TinyChatModel tiny) : IClassFixture<TinyChatModel>
{
    [Fact]
    public async Task Rejection_sampling_records_the_policy_and_the_reward_model_it_was_given_as_its_lineage()
    {
        string home = Path.Combine(tiny.Root, "stages-home"), rmFolder = Path.Combine(tiny.Root, "stages-rm"), rsFolder = Path.Combine(tiny.Root, "stages-rs");
        var platform = PlatformSettings.Embedded(home);
        var config = new AlignConfig
        {
            Tasks = ["arithmetic"], DataFolder = RepositoryData.HeldOutFolder, PairItemsPerTask = 8, RejectionPromptsPerTask = 2, EvalItemsPerTask = 2, EvalPairItemsPerTask = 2,
            Reward = new RewardOptions { Training = new TrainingOptions { LearningRate = 1e-3, Steps = 2, WarmupSteps = 1, BatchSize = 2 } },
            RejectionSampling = new RejectionSamplingOptions { SamplesPerPrompt = 2, MaxNewTokens = 3 },
        };
        var rm = await StageRunner.RewardModelAsync(new StageRequest(tiny.BaseDirectory, config, rmFolder), platform);
        var rs = await StageRunner.RejectionSamplingAsync(new StageRequest(tiny.SftDirectory, config, rsFolder, RewardModel: rmFolder), platform);

        Assert.True(File.Exists(Path.Combine(rsFolder, "pairs.jsonl")));
        var store = new MetadataStore(platform.Metadata);
        Assert.Equal(["alignment.rm", "alignment.rs"],
            (await new RunTracker(store).ListAsync()).Where(r => r.Status == RunStatus.Succeeded).Select(r => r.Kind).Order());
        var registry = new ArtifactRegistry(store);
        Assert.Equal("dataset", (await registry.GetAsync(rs.ArtifactId!.Value)).Kind);
        var parents = (await registry.ParentsAsync(rs.ArtifactId!.Value)).ToDictionary(p => p.Relation, p => p.Artifact);
        // The reward model folder is found again as the artifact its own run recorded, not registered a second time.
        Assert.Equal(rm.ArtifactId, parents["reward-model"].Id);
        Assert.Equal(("model", "sft"), (parents["policy"].Kind, parents["policy"].Name));
        Assert.Equal("base-model", Assert.Single(await registry.ParentsAsync(rm.ArtifactId!.Value)).Relation);
    }

    [Fact]
    public async Task Sft_records_its_pretraining_text_as_an_input_beside_the_base_model()
    {
        string home = Path.Combine(tiny.Root, "sft-home"), text = Path.Combine(tiny.Root, "sft-text"), output = Path.Combine(tiny.Root, "sft-mixed");
        var tokenizer = tiny.Encoder.Tokenizer;
        Sft.TokenShardFile.Write(Path.Combine(text, "tokens", "part-00000.parquet"),
            Enumerable.Range(0, 20).Select(i => tokenizer.Encode($"The model repeats what the user says {i}.", bos: true, eos: true).ToArray()));
        var platform = PlatformSettings.Embedded(home);
        var config = new AlignConfig
        {
            Tasks = ["arithmetic"], DataFolder = RepositoryData.HeldOutFolder, SftItemsPerTask = 8, EvalItemsPerTask = 2, EvalPairItemsPerTask = 2, EvalMaxNewTokens = 2,
            Sft = new Alignment.Sft.SftOptions
            {
                RowLength = 64, PretrainingTokens = text, Training = new TrainingOptions { LearningRate = 1e-3, Steps = 2, WarmupSteps = 1, BatchSize = 2 },
            },
        };
        var sft = await StageRunner.SftAsync(new StageRequest(tiny.BaseDirectory, config, output), platform);

        var registry = new ArtifactRegistry(new MetadataStore(platform.Metadata));
        var parents = (await registry.ParentsAsync(sft.ArtifactId!.Value)).ToDictionary(p => p.Relation, p => p.Artifact);
        Assert.Equal(["base-model", "pretraining-text"], parents.Keys.Order());
        Assert.Equal("dataset", parents["pretraining-text"].Kind);
    }
}
