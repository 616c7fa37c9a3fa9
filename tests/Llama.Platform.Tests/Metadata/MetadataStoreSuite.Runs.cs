using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Tests.Metadata;

public abstract partial class MetadataStoreSuite
{
    [Fact]
    public async Task Run_records_its_start_inputs_and_single_outcome()
    {
        var corpus = await Registry.RegisterAsync(Spec("corpus", "c"));
        var tokenizer = await Registry.RegisterAsync(Spec("tokenizer", "t"));
        var before = DateTime.UtcNow;

        var started = await Runs.StartAsync("pretraining", "tiny", """{"lr":0.001}""",
            [(corpus.Id, "corpus"), (tokenizer.Id, "tokenizer")], codeVersion: "1.2.3+abc");
        var finished = await Runs.FinishAsync(started.Id, RunStatus.Failed, "loss diverged at step 40");
        var again = await Assert.ThrowsAsync<RunAlreadyFinishedException>(() => Runs.FinishAsync(started.Id, RunStatus.Succeeded));
        var read = await Runs.GetAsync(started.Id);

        Assert.Equal((RunStatus.Running, Environment.MachineName), (started.Status, started.Host));
        Assert.InRange(started.StartedAt!.Value, before, DateTime.UtcNow);
        Assert.Equal((RunStatus.Failed, "loss diverged at step 40"), (finished.Status, finished.Error));
        Assert.Equal(RunStatus.Failed, again.Status);
        Assert.Equal((RunStatus.Failed, "pretraining", "tiny", """{"lr":0.001}""", "1.2.3+abc"),
            (read.Status, read.Kind, read.Name, read.ConfigJson, read.CodeVersion));
        // Both providers hand times back as UTC (SQLite keeps them as zone-less text).
        Assert.Equal([DateTimeKind.Utc, DateTimeKind.Utc, DateTimeKind.Utc], new[] { read.CreatedAt, read.StartedAt!.Value, read.FinishedAt!.Value }.Select(t => t.Kind));
        Assert.InRange(read.StartedAt.Value, before, DateTime.UtcNow);
        Assert.Equal(["c:corpus", "t:tokenizer"],
            read.Inputs.Select(i => $"{(i.ArtifactId == corpus.Id ? "c" : "t")}:{i.Role}").Order());
    }

    [Fact]
    public async Task Malformed_config_json_is_rejected_naming_the_run_and_nothing_is_written()
    {
        var error = await Assert.ThrowsAsync<MalformedJsonException>(() => Runs.StartAsync("sft", "chat", "{\"lr\": 0.001,"));

        Assert.IsAssignableFrom<ArgumentException>(error);
        Assert.Contains("run config of sft run 'chat'", error.Message);
        Assert.Empty(await Runs.ListAsync());
    }

    [Fact]
    public async Task Unknown_input_artifact_is_rejected_and_no_run_is_written()
    {
        var missing = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Runs.StartAsync("dpo", "x", "{}", [(missing, "base-model")]));

        Assert.Contains(missing.ToString(), error.Message);
        Assert.Empty(await Runs.ListAsync());
    }

    [Fact]
    public async Task Metrics_come_back_per_name_in_step_order()
    {
        var run = await Runs.StartAsync("pretraining", "tiny", "{}");
        foreach (long step in new long[] { 30, 10, 20 })
            await Runs.LogMetricsAsync(run.Id, step, new Dictionary<string, double> { ["loss"] = 10.0 / step, ["lr"] = step * 1e-4 });

        var loss = await Runs.GetMetricsAsync(run.Id, "loss");

        Assert.Equal([10L, 20L, 30L], loss.Select(p => p.Step));
        Assert.Equal([1.0, 0.5, 10.0 / 30], loss.Select(p => p.Value));
        Assert.Equal([1e-3, 2e-3, 3e-3], (await Runs.GetMetricsAsync(run.Id, "lr")).Select(p => p.Value), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Empty(await Runs.GetMetricsAsync(run.Id, "grad_norm"));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public async Task Non_finite_metric_is_rejected_naming_it_and_its_step_and_nothing_is_written(double value)
    {
        var run = await Runs.StartAsync("pretraining", "tiny", "{}");

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runs.LogMetricsAsync(run.Id, 7, new Dictionary<string, double> { ["lr"] = 1e-3, ["loss"] = value }));

        Assert.Contains("'loss' at step 7", error.Message);
        await using var db = Store.CreateContext();
        Assert.Equal(0, await db.Metrics.CountAsync());
    }

    [Fact]
    public async Task Metrics_of_an_unknown_run_are_refused()
    {
        var id = Guid.NewGuid();

        await Assert.ThrowsAsync<RunNotFoundException>(() => Runs.LogMetricsAsync(id, 0, new Dictionary<string, double> { ["loss"] = 1 }));
        await Assert.ThrowsAsync<RunNotFoundException>(() => Runs.GetMetricsAsync(id, "loss"));
        await Assert.ThrowsAsync<RunNotFoundException>(() => Runs.FinishAsync(id, RunStatus.Succeeded));
    }

    [Fact]
    public async Task Runs_list_newest_first_filtered_by_kind_and_status()
    {
        var a = await Runs.StartAsync("curation", "a", "{}");
        var b = await Runs.StartAsync("pretraining", "b", "{}");
        var c = await Runs.StartAsync("curation", "c", "{}");
        await Runs.FinishAsync(a.Id, RunStatus.Succeeded);

        Assert.Equal(["c", "b", "a"], (await Runs.ListAsync()).Select(r => r.Name));
        Assert.Equal(["c", "a"], (await Runs.ListAsync(kind: "curation")).Select(r => r.Name));
        Assert.Equal(["c", "b"], (await Runs.ListAsync(status: RunStatus.Running)).Select(r => r.Name));
        Assert.Equal(["a"], (await Runs.ListAsync("curation", RunStatus.Succeeded)).Select(r => r.Name));
        Assert.Equal(["c"], (await Runs.ListAsync(limit: 1)).Select(r => r.Name));
    }
}
