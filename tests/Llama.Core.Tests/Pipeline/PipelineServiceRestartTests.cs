using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Llama.Core.Tests.Checkpoints;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Core.Tests.Pipeline;

/// <summary>
/// The pipeline through the services, each a real <c>llama service</c> process over one SQLite file and one object
/// folder: a stage service and then the pipeline service itself are SIGKILLed mid-run and started again, and the
/// pipeline still ends with every step done once.
/// </summary>
public class PipelineServiceRestartTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);
    private static readonly string[] StageRoles = ["curation", "pretraining", "alignment", "quantization", "evaluation"];

    [Fact]
    public async Task A_stage_service_and_the_pipeline_service_killed_mid_run_and_restarted_finish_the_pipeline_without_redoing_finished_work()
    {
        using var work = new TemporaryDirectory();
        string home = Path.Combine(work.Path, "home"), logs = Path.Combine(work.Path, "logs");
        Directory.CreateDirectory(logs);
        // Short leases: a killed worker's job is taken again seconds after, not the roles' default minutes.
        string[] shared = [$"--Llama:Home={home}", "--Llama:Jobs:LeaseSeconds=3", "--Llama:Jobs:PollSeconds=0.5",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning"];
        var stages = StageRoles.ToDictionary(role => role, role => new ServiceProcess(role, logs, shared));
        var pipeline = new ServiceProcess("pipeline", logs, [.. shared, .. stages.Values.Select(s => $"--Llama:Services:{s.Role}={s.Url}")]);
        ServiceProcess[] all = [.. stages.Values, pipeline];
        var deadline = DateTime.UtcNow + Limit;
        try
        {
            // The first to start creates the shared database; the others then find it migrated.
            pipeline.Start();
            await pipeline.WaitHealthyAsync(TimeSpan.FromMinutes(2));
            foreach (var stage in stages.Values) stage.Start();
            foreach (var stage in stages.Values) await stage.WaitHealthyAsync(TimeSpan.FromMinutes(2));

            var submitted = await pipeline.Http.PostAsJsonAsync("/api/pipeline/jobs", new { preset = "smoke", data = Fixtures.RepositoryFile("data") });
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            Guid pipelineJob = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            string folder = Path.Combine(home, "pipeline", pipelineJob.ToString("N"));
            async Task<string> Diagnosis() =>
                $"pipeline job: {await TryGetStringAsync(pipeline, $"/api/pipeline/jobs/{pipelineJob}")}\n"
                + string.Join("\n", all.Select(s => $"--- {s.Role} ---\n{s.LogTail()}"));

            // (1) The pretraining service dies once training has saved its step-20 checkpoint (curation is done by then).
            string checkpoint = Path.Combine(folder, "2-pretrain", "checkpoints", "step-00000020", "COMPLETE");
            await WaitUntilAsync(() => Task.FromResult(File.Exists(checkpoint)), deadline, "pretraining saved no step-20 checkpoint", Diagnosis);
            stages["pretraining"].Kill();
            long lastCheckpoint = CompleteCheckpointSteps(Path.GetDirectoryName(Path.GetDirectoryName(checkpoint))!).Max();
            Assert.True(ReadState(folder).GetProperty("steps").TryGetProperty("1-curate", out _));
            // The pipeline sees it gone and waits, rather than failing, until it is back.
            await WaitUntilAsync(async () => (await JobAsync(pipeline, "pipeline", pipelineJob)).GetProperty("message").GetString()?.Contains("unreachable") == true,
                deadline, "the pipeline never reported the pretraining service unreachable", Diagnosis);
            stages["pretraining"].Start();

            // (2) The pipeline service dies while the alignment job it recorded and submitted runs.
            await WaitUntilAsync(() => Task.FromResult(PendingJob(folder, "3-align") is not null), deadline, "no alignment job was recorded", Diagnosis);
            Guid alignmentJob = PendingJob(folder, "3-align")!.Value;
            await WaitUntilAsync(async () => await TryGetStringAsync(stages["alignment"], $"/api/alignment/jobs/{alignmentJob}") is var job && job.Contains("\"state\":\"Running\""),
                deadline, "the alignment job never ran", Diagnosis);
            pipeline.Kill();
            pipeline.Start();

            var final = await WaitForEndAsync(pipeline, "pipeline", pipelineJob, deadline, Diagnosis);
            Assert.True(final.GetProperty("state").GetString() == "Succeeded", $"{final}\n{await Diagnosis()}");
            Assert.Equal(2, final.GetProperty("attempts").GetInt32()); // the killed attempt's job was taken again

            // Every stage job ran once: none was submitted again after a kill. The killed pretraining job took a second
            // attempt, which trained on from its last checkpoint (its run's first step comes after it); the alignment
            // job is the one submitted before the pipeline service died.
            var jobs = new Dictionary<string, JsonElement[]>();
            foreach (var (role, stage) in stages)
                jobs[role] = [.. (await stage.Http.GetFromJsonAsync<JsonElement>($"/api/{role}/jobs"))!.EnumerateArray()];
            Assert.Equal([1, 1, 1, 1, 3], StageRoles.Select(role => jobs[role].Length));
            Assert.All(jobs.Values.SelectMany(j => j), job => Assert.Equal("Succeeded", job.GetProperty("state").GetString()));
            Assert.Equal(2, jobs["pretraining"][0].GetProperty("attempts").GetInt32());
            var resumedRun = jobs["pretraining"][0].GetProperty("result").GetProperty("runId").GetGuid();
            var losses = await new RunTracker(new MetadataStore(PlatformSettings.Embedded(home).Metadata)).GetMetricsAsync(resumedRun, "loss");
            Assert.True(losses.Min(m => m.Step) > lastCheckpoint, $"the resumed attempt trained from step {losses.Min(m => m.Step)}, not after checkpoint {lastCheckpoint}");
            Assert.Equal(alignmentJob, jobs["alignment"][0].GetProperty("id").GetGuid());

            // The state and report are whole, and the lineage is on record.
            var state = ReadState(folder);
            var steps = state.GetProperty("steps");
            Assert.Equal(["1-curate", "2-pretrain", "3-align", "4-quantize", "5-evaluate-base", "6-evaluate-aligned", "7-evaluate-fp8"],
                steps.EnumerateObject().Select(p => p.Name).Order());
            Assert.Empty(state.GetProperty("pendingJobs").EnumerateObject());
            Assert.True(File.Exists(Path.Combine(folder, "report.md")));
            Guid Artifact(string step) => Guid.Parse(steps.GetProperty(step).GetProperty("outputs").GetProperty("model-artifact").GetString()!);
            var registry = new ArtifactRegistry(new MetadataStore(PlatformSettings.Embedded(home).Metadata));
            // (Alignment registers datasets of its own: the curated one is the one named after the pipeline.)
            var curated = Assert.Single(await registry.ListAsync("dataset"), d => d.Name == "pipeline-smoke");
            Assert.Equal(Guid.Parse(steps.GetProperty("1-curate").GetProperty("outputs").GetProperty("dataset-artifact").GetString()!), curated.Id);
            // The pretrained model reaches the dataset through checkpoints of both attempts' runs.
            var pretrained = await registry.LineageAsync(Artifact("2-pretrain"), LineageDirection.Up);
            Assert.Contains(pretrained.Nodes, n => n.Artifact.Id == curated.Id);
            Assert.Contains(pretrained.Edges, e => e.ChildId == Artifact("2-pretrain") && e.Relation == "averaged-from");
            var fp8 = await registry.LineageAsync(Artifact("4-quantize"), LineageDirection.Up);
            Assert.Contains(fp8.Edges, e => e.ChildId == Artifact("4-quantize") && e.ParentId == Artifact("3-align") && e.Relation == "quantized-from");
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        finally
        {
            foreach (var service in all) service.Dispose();
        }
    }

    /// <summary>The steps of the checkpoints whose COMPLETE marker is written (<c>step-00000020</c> is step 20).</summary>
    private static IEnumerable<long> CompleteCheckpointSteps(string checkpoints) =>
        Directory.EnumerateDirectories(checkpoints, "step-*").Where(d => File.Exists(Path.Combine(d, "COMPLETE")))
            .Select(d => long.Parse(Path.GetFileName(d)["step-".Length..], System.Globalization.CultureInfo.InvariantCulture));

    private static JsonElement ReadState(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "pipeline.json"))).RootElement;

    /// <summary>The stage job recorded in pipeline.json for an unfinished step, if any.</summary>
    private static Guid? PendingJob(string folder, string step) =>
        File.Exists(Path.Combine(folder, "pipeline.json")) && ReadState(folder).GetProperty("pendingJobs").TryGetProperty(step, out var id) ? id.GetGuid() : null;

    private static async Task<JsonElement> JobAsync(ServiceProcess service, string role, Guid id) =>
        await service.Http.GetFromJsonAsync<JsonElement>($"/api/{role}/jobs/{id}");

    /// <summary>Polls the job until it ends; the service may be restarting meanwhile.</summary>
    private static async Task<JsonElement> WaitForEndAsync(ServiceProcess service, string role, Guid id, DateTime deadline, Func<Task<string>> diagnosis)
    {
        JsonElement job = default;
        await WaitUntilAsync(async () =>
        {
            try { job = await JobAsync(service, role, id); }
            catch (HttpRequestException) { return false; }
            return job.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled";
        }, deadline, $"the {role} job did not end", diagnosis);
        return job;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, DateTime deadline, string failure, Func<Task<string>> diagnosis)
    {
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{failure} within {Limit}\n{await diagnosis()}");
            await Task.Delay(50);
        }
    }

    private static async Task<string> TryGetStringAsync(ServiceProcess service, string path)
    {
        try { return await service.Http.GetStringAsync(path); }
        catch (HttpRequestException e) { return $"({e.Message})"; }
    }
}
