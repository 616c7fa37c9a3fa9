using Llama.Core.Tests.Checkpoints;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Core.Tests.Cli;

/// <summary>`llama sft` and `llama dpo` as a user chains them: each a recorded Run, and the next stage finds the model by its folder.</summary>
public class CliAlignTests
{
    [Fact]
    public async Task Sft_then_dpo_are_recorded_runs_whose_lineage_links_the_folders_and_eval_and_quantize_reuse_those_ids()
    {
        using var work = new TemporaryDirectory();
        string home = Path.Combine(work.Path, "home"), sft = Path.Combine(work.Path, "sft"), dpo = Path.Combine(work.Path, "dpo");
        // A random model with the fixture tokenizer, which has the chat template's special tokens.
        string baseModel = CliQuantizeTests.SourceModel(work.Path);
        string[] small = ["--home", home, "--tasks", "arithmetic", "--data-dir", Fixtures.RepositoryFile("data", "heldout"), "--threads", "1",
            "--set", "sftItemsPerTask=16", "--set", "pairItemsPerTask=8", "--set", "evalItemsPerTask=2", "--set", "evalPairItemsPerTask=2", "--set", "evalMaxNewTokens=2",
            "--set", "sft.training.steps=2", "--set", "dpo.training.steps=2"];

        var sftRun = LlamaCli.Run(["sft", "--model", baseModel, "--out", sft, .. small]);
        Assert.True(sftRun.ExitCode == 0, sftRun.StandardOutput + sftRun.StandardError);
        var sftId = ArtifactIn(sftRun, "model artifact ");
        var dpoRun = LlamaCli.Run(["dpo", "--model", sft, "--out", dpo, .. small]);
        Assert.True(dpoRun.ExitCode == 0, dpoRun.StandardOutput + dpoRun.StandardError);
        var dpoId = ArtifactIn(dpoRun, "model artifact ");

        var store = new MetadataStore(PlatformSettings.Embedded(home).Metadata);
        var runs = await new RunTracker(store).ListAsync();
        Assert.Equal(["alignment.dpo", "alignment.sft"], runs.Where(r => r.Status == RunStatus.Succeeded).Select(r => r.Kind).Order());
        var registry = new ArtifactRegistry(store);
        // DPO started from the folder SFT wrote: found again by its files, not registered a second time.
        var dpoParent = Assert.Single(await registry.ParentsAsync(dpoId));
        Assert.Equal((sftId, "policy"), (dpoParent.Artifact.Id, dpoParent.Relation));
        var sftParent = Assert.Single(await registry.ParentsAsync(sftId));
        Assert.Equal(("source", "base-model"), (sftParent.Artifact.Name, sftParent.Relation));
        Assert.Equal(runs.Single(r => r.Kind == "alignment.sft").Id, (await registry.GetAsync(sftId)).ProducedByRunId);

        // Evaluating the SFT folder stores its results under the SFT artifact; quantizing the DPO folder links to the DPO artifact.
        var eval = LlamaCli.Run("eval", "--model", sft, "--tasks", "quiz", "--limit", "2", "--home", home, "--data", Fixtures.RepositoryFile("data"));
        Assert.True(eval.ExitCode == 0, eval.StandardOutput + eval.StandardError);
        Assert.NotEmpty(await registry.EvalResultsAsync(sftId));
        var quantize = LlamaCli.Run("quantize", "--model", dpo, "--out", Path.Combine(work.Path, "fp8"), "--home", home, "--threads", "1",
            "--set", $"quality.text={Fixtures.RepositoryFile("data", "heldout", "austen-persuasion.txt")}", "--set", "quality.maxTokens=256",
            "--set", "quality.prompts=1", "--set", "quality.minTop1Agreement=0", "--set", "quality.maxPerplexityIncrease=1");
        Assert.True(quantize.ExitCode == 0, quantize.StandardOutput + quantize.StandardError);
        var fp8 = Assert.Single(await registry.ListAsync("model"), a => a.Name == "fp8");
        var fp8Parent = Assert.Single(await registry.ParentsAsync(fp8.Id));
        Assert.Equal((dpoId, "quantized-from"), (fp8Parent.Artifact.Id, fp8Parent.Relation));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private static Guid ArtifactIn(LlamaCli.Result result, string prefix) =>
        Guid.Parse(result.StandardOutput.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim());
}
