using Llama.Core;
using Llama.Core.Training;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Llama.Pretraining.Checkpointing;
using Llama.Pretraining.Optimization;
using Llama.Pretraining.Training;

namespace Llama.Pretraining.Tests.Training;

/// <summary>A pretraining run on the embedded platform: run, metrics, checkpoints and the final model on the record.</summary>
public sealed class RecordedRunTests : IDisposable
{
    private readonly TrainingData _data = new();
    private readonly string _root = Directory.CreateTempSubdirectory("llama-pt-record-").FullName;

    public void Dispose()
    {
        _data.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>16 steps, checkpoints at 8 and 14, 16 (the two annealing checkpoints, averaged into the model).</summary>
    private static PretrainConfig Config() => PretrainPresets.Get("smoke") with
    {
        Schedule = new LearningRateSchedule { PeakLearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 2, DecaySteps = 10, AnnealSteps = 4, TotalSteps = 16 },
        BatchRamp = BatchRamp.Constant(2 * 64), Context = ContextSchedule.Constant(64), MicroBatchSequences = 2,
        EvalEvery = 8, CheckpointEvery = 8, AnnealCheckpoints = 2, LogEvery = 4, ValidationFraction = 0.1,
        Mix = new Dictionary<string, double> { ["general"] = 1 }, AnnealMix = new Dictionary<string, double> { ["general"] = 1 },
    };

    [Fact]
    public async Task The_run_its_metrics_checkpoints_and_averaged_model_are_recorded_with_lineage()
    {
        var platform = PlatformSettings.Embedded(Path.Combine(_root, "home"));
        var config = Config();
        var outcome = await PretrainRunner.RunAsync(new PretrainRequest(_data.Root, config, Path.Combine(_root, "out"), Name: "recorded"), platform);

        var store = new MetadataStore(platform.Metadata);
        var run = await new RunTracker(store).GetAsync(outcome.RunId!.Value);
        Assert.Equal(("pretraining", RunStatus.Succeeded), (run.Kind, run.Status));
        var losses = await new RunTracker(store).GetMetricsAsync(run.Id, "loss");
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), losses.Select(m => m.Step));

        var registry = new ArtifactRegistry(store);
        var checkpoints = await registry.CheckpointsAsync(run.Id);
        Assert.Equal(new long[] { 8, 14, 16 }, checkpoints.Select(c => c.Step).Order());
        var parents = await registry.ParentsAsync(outcome.ModelArtifactId!.Value);
        Assert.Equal(outcome.Report.AveragedCheckpoints.Count, parents.Count);
        Assert.All(parents, p => Assert.Equal(("checkpoint", "averaged-from"), (p.Artifact.Kind, p.Relation)));
    }

    [Fact]
    public async Task A_resumed_run_links_its_model_to_the_annealing_checkpoints_the_interrupted_run_published()
    {
        var platform = PlatformSettings.Embedded(Path.Combine(_root, "home"));
        var output = Path.Combine(_root, "out");
        using var interrupt = new CancellationTokenSource();
        // Stop after step 15: the first annealing checkpoint (14) was published by the first run.
        var stopAfter15 = new SynchronousProgress<TrainingStep>(s => { if (s.Step == 15) interrupt.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PretrainRunner.RunAsync(new PretrainRequest(_data.Root, Config(), output, Name: "interrupted"), platform, stopAfter15, interrupt.Token));

        var outcome = await PretrainRunner.RunAsync(new PretrainRequest(_data.Root, Config(), output, Resume: true, Name: "resumed"), platform);

        var registry = new ArtifactRegistry(new MetadataStore(platform.Metadata));
        Assert.Equal(new long[] { 14, 16 }, outcome.Report.AveragedCheckpoints.Order());
        var parents = await registry.ParentsAsync(outcome.ModelArtifactId!.Value);
        var parentSteps = new List<long>();
        foreach (var parent in parents)
        {
            Assert.Equal(("checkpoint", "averaged-from"), (parent.Artifact.Kind, parent.Relation));
            parentSteps.Add(long.Parse(parent.Artifact.Name["step-".Length..]));
        }
        Assert.Equal(new long[] { 14, 16 }, parentSteps.Order());
        // Step 14 is the interrupted run's artifact, not a copy; the resumed run's first checkpoint continues from it.
        var step14 = parents.Single(p => p.Artifact.Name.EndsWith("14")).Artifact;
        Assert.NotEqual(outcome.RunId, step14.ProducedByRunId);
        var step16 = parents.Single(p => p.Artifact.Name.EndsWith("16")).Artifact;
        Assert.Contains(await registry.ParentsAsync(step16.Id), p => (p.Artifact.Id, p.Relation) == (step14.Id, CheckpointPublisher.ContinuedFromRelation));
    }
}
