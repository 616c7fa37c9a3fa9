using System.Text.Json;
using Llama.Core.Tests.Checkpoints;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;

namespace Llama.Core.Tests.Cli;

/// <summary>`llama pipeline --preset smoke` as a user runs it: killed mid-way, started again, every artifact on the record.</summary>
public class CliPipelineTests
{
    [Fact]
    public async Task The_smoke_pipeline_killed_mid_way_resumes_without_redoing_finished_steps_and_records_the_lineage()
    {
        using var work = new TemporaryDirectory();
        string folder = Path.Combine(work.Path, "pipeline"), home = Path.Combine(work.Path, "home");
        string[] args = ["pipeline", "--preset", "smoke", "--out", folder, "--home", home, "--data", Fixtures.RepositoryFile("data")];

        // Killed (SIGKILL) once pretraining has written its first checkpoint: curation is finished by then.
        using (var process = LlamaCli.Start(args))
        {
            string checkpoint = Path.Combine(folder, "2-pretrain", "checkpoints", "step-00000020", "COMPLETE");
            var deadline = DateTime.UtcNow.AddMinutes(8);
            while (!File.Exists(checkpoint) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.True(File.Exists(checkpoint), "pretraining wrote no checkpoint");
            process.Kill();
            process.WaitForExit();
        }
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "pipeline.json"))).RootElement.GetProperty("steps");
        Assert.True(state.TryGetProperty("1-curate", out _));
        Assert.False(state.TryGetProperty("2-pretrain", out _));

        var resumed = LlamaCli.Run(TimeSpan.FromMinutes(10), args);
        Assert.True(resumed.ExitCode == 0, resumed.StandardError);
        Assert.Contains("skipped: 1-curate", resumed.StandardOutput);
        Assert.True(File.Exists(Path.Combine(folder, "report.md")));

        // Every stage ran and left its outputs; the FP8 model was made from the aligned one, and each model was evaluated.
        var finished = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "pipeline.json"))).RootElement.GetProperty("steps");
        Assert.Equal(["1-curate", "2-pretrain", "3-align", "4-quantize", "5-evaluate-base", "6-evaluate-aligned", "7-evaluate-fp8"],
            finished.EnumerateObject().Select(p => p.Name).Order());
        foreach (var evaluated in new[] { "5-evaluate-base", "6-evaluate-aligned", "7-evaluate-fp8" })
            Assert.True(File.Exists(finished.GetProperty(evaluated).GetProperty("outputs").GetProperty("results").GetString()));

        // The pretrained model's lineage reaches back through the averaged checkpoints to the curated dataset.
        var steps = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "pipeline.json"))).RootElement.GetProperty("steps");
        var model = Guid.Parse(steps.GetProperty("2-pretrain").GetProperty("outputs").GetProperty("model-artifact").GetString()!);
        var dataset = Guid.Parse(steps.GetProperty("1-curate").GetProperty("outputs").GetProperty("dataset-artifact").GetString()!);
        var registry = new ArtifactRegistry(new MetadataStore(PlatformSettings.Embedded(home).Metadata));
        var lineage = await registry.LineageAsync(model, LineageDirection.Up);
        Assert.Contains(lineage.Nodes, n => n.Artifact.Id == dataset);
        Assert.Contains(lineage.Edges, e => e.ChildId == model && e.Relation == "averaged-from");
        var fp8 = Guid.Parse(finished.GetProperty("4-quantize").GetProperty("outputs").GetProperty("model-artifact").GetString()!);
        var aligned = Guid.Parse(finished.GetProperty("3-align").GetProperty("outputs").GetProperty("model-artifact").GetString()!);
        Assert.Contains((await registry.LineageAsync(fp8, LineageDirection.Up)).Edges, e => e.ChildId == fp8 && e.ParentId == aligned && e.Relation == "quantized-from");
        // Alignment started from the model pretraining published (found by its files), not from a second record of its folder;
        // each evaluation stored its results under the artifact of the model it scored.
        var alignedLineage = await registry.LineageAsync(aligned, LineageDirection.Up);
        Assert.Contains(alignedLineage.Edges, e => e.ParentId == model && e.Relation == "base-model");
        // SFT kept training on the curated corpus, found as the dataset curation published.
        Assert.Contains(alignedLineage.Edges, e => e.ParentId == dataset && e.Relation == "pretraining-text");
        string pretrainedFolder = finished.GetProperty("2-pretrain").GetProperty("outputs").GetProperty("model").GetString()!;
        Assert.DoesNotContain(await registry.ListAsync("model", 1000), a => a.Uri == ModelArtifactFolder.LocationOf(pretrainedFolder));
        foreach (var (evaluated, artifact) in new[] { ("5-evaluate-base", model), ("6-evaluate-aligned", aligned), ("7-evaluate-fp8", fp8) })
        {
            Assert.Equal(artifact.ToString(), finished.GetProperty(evaluated).GetProperty("outputs").GetProperty("model-artifact").GetString());
            Assert.NotEmpty(await registry.EvalResultsAsync(artifact));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // Everything done: a third start only reports.
        var again = LlamaCli.Run(args);
        Assert.True(again.ExitCode == 0, again.StandardError);
        Assert.Contains("skipped: 1-curate, 2-pretrain, 3-align, 4-quantize, 5-evaluate-base, 6-evaluate-aligned, 7-evaluate-fp8", again.StandardOutput);
    }
}
