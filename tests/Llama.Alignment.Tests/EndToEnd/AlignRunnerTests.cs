using Llama.Alignment.Dpo;
using Llama.Alignment.RejectionSampling;
using Llama.Alignment.RewardModel;
using Llama.Alignment.Rounds;
using Llama.Alignment.Sft;
using Llama.Alignment.Training;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Alignment.Tests.EndToEnd;

/// <summary>The rounds runner on the in-test model, sized to seconds: files, recorded runs and lineage, not quality.</summary>
public class AlignRunnerTests(TinyChatModel tiny) : IClassFixture<TinyChatModel>
{
    private static TrainingOptions Few(int steps) => new() { LearningRate = 1e-3, Steps = steps, WarmupSteps = 1, BatchSize = 2 };

    [Fact]
    public async Task Two_rounds_write_models_and_report_and_record_every_step_with_lineage()
    {
        string output = Path.Combine(tiny.Root, "align"), home = Path.Combine(tiny.Root, "home");
        var config = new AlignConfig
        {
            Tasks = ["arithmetic"], DataFolder = RepositoryData.HeldOutFolder, Rounds = 2, AverageCheckpoints = true,
            SftItemsPerTask = 20, PairItemsPerTask = 10, RejectionPromptsPerTask = 2, EvalItemsPerTask = 4, EvalPairItemsPerTask = 4, EvalMaxNewTokens = 3,
            Sft = new SftOptions { Training = Few(3), RowLength = 96 }, Reward = new RewardOptions { Training = Few(2) },
            RejectionSampling = new RejectionSamplingOptions { SamplesPerPrompt = 2, MaxNewTokens = 3 }, Dpo = new DpoOptions { Training = Few(2) },
        };
        var outcome = await AlignRunner.RunAsync(new AlignRequest(tiny.BaseDirectory, config, output), PlatformSettings.Embedded(home));

        Assert.Equal(Path.Combine(Path.GetFullPath(output), "final"), outcome.FinalModel);
        foreach (var round in new[] { "round-1", "round-2" })
            foreach (var part in new[] { "sft/model.safetensors", "rm/model.safetensors", "dpo/model.safetensors" })
                Assert.True(File.Exists(Path.Combine(output, round, part)), $"{round}/{part}");
        Assert.Contains("| base |", File.ReadAllText(Path.Combine(output, "report.md")));
        Assert.Equal(2, outcome.Report.Rounds.Count);

        var store = new MetadataStore(PlatformSettings.Embedded(home).Metadata);
        var runs = await new RunTracker(store).ListAsync();
        // Per round SFT, RM, RS and DPO, then the average of the two DPO models.
        Assert.Equal(9, runs.Count(r => r.Kind.StartsWith("alignment.", StringComparison.Ordinal) && r.Status == RunStatus.Succeeded));
        // The averaged model was made from both DPO models, each from its round's SFT model and sampled data, back to the base.
        var lineage = await new ArtifactRegistry(store).LineageAsync(outcome.FinalModelArtifactId!.Value, LineageDirection.Up);
        Assert.Equal(2, lineage.Edges.Count(e => e.ChildId == outcome.FinalModelArtifactId && e.Relation == "averaged-from"));
        Assert.Contains(lineage.Nodes, n => n.Artifact.Kind == "reward-model");
        Assert.Contains(lineage.Nodes, n => n.Artifact.Kind == "model" && n.Artifact.Name == "base");
    }
}
