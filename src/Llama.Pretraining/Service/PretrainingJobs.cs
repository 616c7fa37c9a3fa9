using Llama.Core;
using System.Text.Json;
using Llama.Platform;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Llama.Pretraining.Checkpointing;
using Llama.Pretraining.Training;

namespace Llama.Pretraining.Service;

/// <summary>The body of <c>POST /api/pretraining/jobs</c>: what <c>llama pretrain</c> takes, as JSON.</summary>
/// <param name="Parallel">A 4D layout of more than one rank runs the job as <c>mpirun -np N llama pretrain --tp ...</c>, as the CLI does.</param>
public sealed record PretrainingJobRequest(string? Data, string? Preset, PretrainConfig? Config, string? Output, string? Name, bool Resume = false, string Device = "cpu",
    ParallelLayoutRequest? Parallel = null)
{
    public const string Kind = "pretraining.run";

    public static string? Validate(JsonElement body)
    {
        PretrainingJobRequest? request;
        try { request = body.Deserialize<PretrainingJobRequest>(PretrainConfig.Json); }
        catch (Exception e) when (e is JsonException or NotSupportedException) { return $"invalid pretraining request: {e.Message}"; }
        if (string.IsNullOrWhiteSpace(request?.Data)) return "'data' must name a curated folder or a dataset artifact id";
        try
        {
            (request.Config ?? PretrainPresets.Get(request.Preset ?? "tiny")).Validate("config");
        }
        catch (ArgumentException e) { return e.Message; }
        catch (Llama.Core.Training.ScheduleConfigException e) { return e.Message; }
        if (request.Parallel is { } layout && (layout.Tp < 1 || layout.Cp < 1 || layout.Pp < 1 || layout.Dp < 1))
            return "parallel: tp, cp, pp and dp must each be at least 1";
        return null;
    }
}

/// <summary>The 4D layout of a pretraining job (<c>llama pretrain --tp --cp --pp --dp [--dp-replicate]</c>).</summary>
public sealed record ParallelLayoutRequest(int Tp = 1, int Cp = 1, int Pp = 1, int Dp = 1, bool ReplicatedDp = false)
{
    public int WorldSize => Tp * Cp * Pp * Dp;
}

/// <summary>Runs a pretraining job in the pretraining service's worker: the same <see cref="PretrainRunner"/> as the CLI.</summary>
public sealed class PretrainingJobHandler(PlatformSettings settings) : IJobHandler
{
    public async Task<string?> RunAsync(JobContext context)
    {
        var request = context.Payload<PretrainingJobRequest>(PretrainConfig.Json);
        var config = request.Config ?? PretrainPresets.Get(request.Preset ?? "tiny");
        string output = request.Output ?? Path.Combine(settings.Home, "pretraining", context.JobId.ToString("N"));
        var progress = new SynchronousProgress<TrainingStep>(s => context.Progress.Report(new JobProgress(
            s.Step / (double)s.TotalSteps, $"step {s.Step}/{s.TotalSteps}, loss {s.Loss:0.000}, {s.TokensPerSecond:N0} tokens/s")));
        if (request.Parallel is { WorldSize: > 1 } layout) return await RunParallelAsync(context, request, config, output, layout);
        // A retried job (its worker died) continues from its own latest complete checkpoint. A worker killed before
        // the first one was whole leaves only a partial folder: that retry starts over (a resume would find nothing).
        bool resume = request.Resume || (context.Attempt > 1 && new TrainingCheckpointStore(Path.Combine(output, "checkpoints")).Latest() is not null);
        var outcome = await PretrainRunner.RunAsync(new PretrainRequest(request.Data!, config, output, resume, request.Name, request.Device),
            settings, progress, context.Cancellation);
        return JsonSerializer.Serialize(new StageJobResult(outcome.RunId, Path.GetFullPath(output), outcome.ModelArtifactId), JsonSerializerOptions.Web);
    }

    /// <summary>
    /// A parallel job runs as the CLI runs it: <c>mpirun</c> over this same program's <c>llama pretrain</c> with the
    /// layout flags; progress comes from the ranks' step lines. Such runs are not recorded on the platform (the
    /// parallel runner does not record), so the result names the output folder only.
    /// </summary>
    private static async Task<string?> RunParallelAsync(JobContext context, PretrainingJobRequest request, PretrainConfig config, string output, ParallelLayoutRequest layout)
    {
        Directory.CreateDirectory(output);
        string configFile = Path.Combine(output, "job-config.json");
        File.WriteAllText(configFile, config.ToJson());
        bool resume = request.Resume || (context.Attempt > 1 && Parallel.ParallelPretrainRunner.HasCheckpoint(output));
        List<string> args = ["pretrain", "--data", request.Data!, "--config", configFile, "--out", output, "--no-record", "--device", request.Device,
            "--tp", $"{layout.Tp}", "--cp", $"{layout.Cp}", "--pp", $"{layout.Pp}", "--dp", $"{layout.Dp}"];
        if (layout.ReplicatedDp) args.Add("--dp-replicate");
        if (resume) args.Add("--resume");
        var lastLines = new Queue<string>();
        var step = new System.Text.RegularExpressions.Regex(@"step (\d+)/(\d+): loss ([0-9.]+)");
        int exit = await Parallel.MpiLauncher.RunAsync(layout.WorldSize, context.Cancellation, args, line =>
        {
            lock (lastLines)
            {
                lastLines.Enqueue(line);
                if (lastLines.Count > 5) lastLines.Dequeue();
            }
            if (step.Match(line) is { Success: true } m)
                context.Progress.Report(new JobProgress(int.Parse(m.Groups[1].Value) / (double)int.Parse(m.Groups[2].Value), $"step {m.Groups[1].Value}/{m.Groups[2].Value}, loss {m.Groups[3].Value}"));
        });
        if (exit != 0) throw new InvalidOperationException($"parallel pretraining ({layout.WorldSize} ranks) failed, mpirun exit code {exit}: {string.Join(" | ", lastLines)}");
        return JsonSerializer.Serialize(new StageJobResult(null, Path.GetFullPath(output), null), JsonSerializerOptions.Web);
    }
}
