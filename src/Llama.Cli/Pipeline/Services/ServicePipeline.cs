using Microsoft.Extensions.Configuration;

namespace Llama.Cli.Pipeline.Services;

/// <summary>
/// The pipeline through the stage services: each step becomes a job of its stage's service (found by Aspire service
/// discovery, <c>services:&lt;role&gt;:http:0</c>), followed until it ends. The state file records each job's id before
/// the job is submitted under it, so a pipeline restarted after a crash at any point finds that job instead of adding another.
/// </summary>
internal sealed class ServicePipeline(IConfiguration configuration, IHttpClientFactory? clients = null)
{
    public Task<PipelineOutcome> RunAsync(PipelineContext context, CancellationToken cancellation) =>
        PipelineRunner.RunAsync(context, stepStarted: null, step => RunStepAsync(step, context, cancellation));

    private async Task<StepRecord> RunStepAsync(PipelineStep step, PipelineContext context, CancellationToken cancellation)
    {
        using var http = Client(step.Role);
        var jobs = new StageJobClient(http, step.Role);
        if (!context.State.PendingJobs.TryGetValue(step.Name, out var id))
        {
            id = Guid.NewGuid();
            context.State.Submitting(step.Name, id);
        }
        // Submitted on every start, under the id recorded first: a pipeline that died between recording and submitting
        // submits it now, and one that died later finds the job already there (the stage service adds no second one).
        await jobs.SubmitAsync(id, step.ServiceRequestJson(context), context.Progress, cancellation);
        var job = await jobs.WaitAsync(id, context.Progress, cancellation);
        var result = job.Result is { } r ? System.Text.Json.JsonSerializer.Deserialize<Llama.Platform.Jobs.Api.StageJobResult>(r, System.Text.Json.JsonSerializerOptions.Web) : null;
        return step.FromServiceJob(new ServiceJobOutcome(job.Id, job.StartedAt ?? job.CreatedAt, job.FinishedAt ?? DateTime.UtcNow,
            result?.RunId, result?.Output, result?.PrimaryArtifactId));
    }

    /// <summary>An HTTP client for a stage service, from service discovery or <c>Llama:Services:&lt;role&gt;</c>.</summary>
    /// <exception cref="InvalidOperationException">No URL is configured for the role.</exception>
    public HttpClient Client(string role)
    {
        string url = configuration[$"services:{role}:http:0"] ?? configuration[$"Llama:Services:{role}"]
            ?? throw new InvalidOperationException(
                $"no URL for the {role} service: the AppHost passes services__{role}__http__0; elsewhere set Llama__Services__{role}=http://host:port");
        var http = clients?.CreateClient(role) ?? new HttpClient();
        http.BaseAddress = new Uri(url);
        return http;
    }
}
