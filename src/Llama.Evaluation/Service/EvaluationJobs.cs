using System.Text.Json;
using Llama.Evaluation.Reports;
using Llama.Evaluation.Running;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Jobs;
using Llama.Platform.Jobs.Api;
using Llama.Platform.Metadata;

namespace Llama.Evaluation.Service;

/// <summary>The body of <c>POST /api/evaluation/jobs</c>: what <c>llama eval</c> takes, as JSON.</summary>
public sealed record EvaluationJobRequest(string? Model, List<string>? Tasks, int? Limit = null, int? NumFewshot = null, bool ChatTemplate = false,
    int Seed = 1234, int BatchSize = 16, int MaxLength = 2048, string Device = "cpu", string? Tokenizer = null, string? Name = null)
{
    public const string Kind = "evaluation.run";

    public EvaluationSettings Settings => new()
    {
        Limit = Limit, NumFewshot = NumFewshot, ChatTemplate = ChatTemplate, Seed = Seed, BatchSize = BatchSize, MaxLength = MaxLength,
    };

    public static string? Validate(JsonElement body)
    {
        EvaluationJobRequest? request;
        try { request = body.Deserialize<EvaluationJobRequest>(JsonSerializerOptions.Web); }
        catch (JsonException e) { return $"invalid evaluation request: {e.Message}"; }
        if (string.IsNullOrWhiteSpace(request?.Model)) return "'model' must name a model directory or a model/checkpoint artifact id";
        if (request.Tasks is not { Count: > 0 }) return "'tasks' must list at least one task";
        try { request.Settings.Validate(); }
        catch (ArgumentException e) { return e.Message; }
        return null;
    }
}

/// <summary>Runs an evaluation job in the evaluation service's worker: the same <see cref="EvaluationRunner"/> as the CLI; the output folder gets results.json and the model's report.</summary>
public sealed class EvaluationJobHandler(PlatformSettings settings) : IJobHandler
{
    public async Task<string?> RunAsync(JobContext context)
    {
        var request = context.Payload<EvaluationJobRequest>(JsonSerializerOptions.Web);
        string output = Path.Combine(settings.Home, "evaluation", context.JobId.ToString("N"));
        Directory.CreateDirectory(output);
        var progress = new Progress<EvaluationProgress>(p => context.Progress.Report(new JobProgress(
            p.Total == 0 ? 0 : p.Done / (double)p.Total, $"{p.Task}: {p.Done}/{p.Total}")));
        var outcome = await EvaluationRunner.RunAsync(new EvaluationRequest(request.Model!, request.Tasks!, request.Settings,
            Path.Combine(output, "results.json"), request.Device, request.Tokenizer, Name: request.Name), settings, progress, context.Cancellation);
        var registry = new ArtifactRegistry(new MetadataStore(settings.Metadata));
        EvalComparison.Write(output, await EvalComparison.LoadAsync(registry, [outcome.ModelArtifactId!.Value.ToString()], context.Cancellation));
        return JsonSerializer.Serialize(new StageJobResult(outcome.RunId, output, outcome.ModelArtifactId), JsonSerializerOptions.Web);
    }
}
