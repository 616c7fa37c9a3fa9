using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Tests.Metadata;

public abstract partial class MetadataStoreSuite
{
    [Fact]
    public async Task Checkpoints_register_against_their_run_and_list_in_step_order()
    {
        var run = await Runs.StartAsync("pretraining", "tiny", "{}");
        var late = await Registry.RegisterAsync(Spec("checkpoint", "step-200", run.Id));
        var early = await Registry.RegisterAsync(Spec("checkpoint", "step-100", run.Id));

        await Registry.RegisterCheckpointAsync(run.Id, late.Id, 200, 819_200, 2.5, "final");
        await Registry.RegisterCheckpointAsync(run.Id, early.Id, 100, 409_600, 3.1);
        var checkpoints = await Registry.CheckpointsAsync(run.Id);

        Assert.Equal([(100L, 409_600L, (double?)3.1, (string?)null, early.Id), (200L, 819_200L, 2.5, "final", late.Id)],
            checkpoints.Select(c => (c.Step, c.TokensSeen, c.Loss, c.Tag, c.ArtifactId)));
    }

    [Fact]
    public async Task Checkpoint_of_an_unknown_run_or_artifact_is_refused_and_nothing_is_written()
    {
        var run = await Runs.StartAsync("pretraining", "tiny", "{}");
        var artifact = await Registry.RegisterAsync(Spec("checkpoint", "c"));
        var missing = Guid.NewGuid();

        await Assert.ThrowsAsync<RunNotFoundException>(() => Registry.RegisterCheckpointAsync(missing, artifact.Id, 1, 1));
        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Registry.RegisterCheckpointAsync(run.Id, missing, 1, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => Registry.RegisterCheckpointAsync(run.Id, artifact.Id, 1, 1, loss: double.NaN));

        Assert.Contains(missing.ToString(), error.Message);
        Assert.Empty(await Registry.CheckpointsAsync(run.Id));
    }

    [Fact]
    public async Task Eval_results_record_and_read_back_by_task_and_metric()
    {
        var model = await Registry.RegisterAsync(Spec("model", "chat"));
        var run = await Runs.StartAsync("evaluation", "eval", "{}");

        await Registry.RecordEvalResultAsync(new NewEvalResult(model.Id, "mmlu", "accuracy", 0.31, 0.01, 1000, """{"shots":5}""", run.Id));
        await Registry.RecordEvalResultAsync(new NewEvalResult(model.Id, "hellaswag", "acc_norm", 0.42));
        var results = await Registry.EvalResultsAsync(model.Id);

        Assert.Equal(
            [("hellaswag", "acc_norm", 0.42, (double?)null, (int?)null, "{}", (Guid?)null),
             ("mmlu", "accuracy", 0.31, 0.01, 1000, """{"shots":5}""", run.Id)],
            results.Select(r => (r.Task, r.MetricName, r.Value, r.StandardError, r.Samples, r.ConfigJson, r.RunId)));
    }

    [Fact]
    public async Task Eval_result_for_an_unknown_model_or_with_bad_values_is_refused_and_nothing_is_written()
    {
        var model = await Registry.RegisterAsync(Spec("model", "chat"));
        var missing = Guid.NewGuid();

        var unknown = await Assert.ThrowsAsync<ArtifactNotFoundException>(() =>
            Registry.RecordEvalResultAsync(new NewEvalResult(missing, "mmlu", "accuracy", 0.3)));
        await Assert.ThrowsAsync<RunNotFoundException>(() =>
            Registry.RecordEvalResultAsync(new NewEvalResult(model.Id, "mmlu", "accuracy", 0.3, RunId: missing)));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Registry.RecordEvalResultAsync(new NewEvalResult(model.Id, "mmlu", "accuracy", double.NaN)));
        await Assert.ThrowsAsync<MalformedJsonException>(() =>
            Registry.RecordEvalResultAsync(new NewEvalResult(model.Id, "mmlu", "accuracy", 0.3, ConfigJson: "shots=5")));

        Assert.Contains(missing.ToString(), unknown.Message);
        Assert.Empty(await Registry.EvalResultsAsync(model.Id));
    }

    [Fact]
    public async Task Dataset_registers_its_shards_in_index_order_with_summed_totals()
    {
        var manifest = await Registry.RegisterAsync(Spec("dataset", "web"));
        var s0 = await Registry.RegisterAsync(Spec("shard", "web-0"), [(manifest.Id, "shard-of")]);
        var s1 = await Registry.RegisterAsync(Spec("shard", "web-1"), [(manifest.Id, "shard-of")]);

        var registered = await Registry.RegisterDatasetAsync("web", manifest.Id,
            [new NewShard(1, s1.Id, 20, 2_000, "train", "web"), new NewShard(0, s0.Id, 10, 1_000, "train", "web")]);
        var read = await Registry.GetDatasetAsync(registered.Id);

        Assert.Equal(("web", (Guid?)manifest.Id, 30L, 3_000L), (read.Name, read.ArtifactId, read.Documents, read.Tokens));
        Assert.Equal([(0, s0.Id, 10L), (1, s1.Id, 20L)], read.Shards.Select(s => (s.Index, s.ArtifactId, s.Rows)));
    }

    [Fact]
    public async Task Dataset_with_an_unknown_shard_artifact_or_repeated_index_is_refused_and_nothing_is_written()
    {
        var s0 = await Registry.RegisterAsync(Spec("shard", "s0"));
        var missing = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Registry.RegisterDatasetAsync("d", null,
            [new NewShard(0, s0.Id, 1, 1), new NewShard(1, missing, 1, 1)]));
        await Assert.ThrowsAsync<ArgumentException>(() => Registry.RegisterDatasetAsync("d", null,
            [new NewShard(0, s0.Id, 1, 1), new NewShard(0, s0.Id, 1, 1)]));
        await Assert.ThrowsAsync<DatasetNotFoundException>(() => Registry.GetDatasetAsync(Guid.NewGuid()));

        Assert.Contains(missing.ToString(), error.Message);
        await using var db = Store.CreateContext();
        Assert.Equal((0, 0), (await db.Datasets.CountAsync(), await db.Shards.CountAsync()));
    }
}
