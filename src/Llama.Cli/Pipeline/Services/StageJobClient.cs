using System.Net.Http.Json;
using System.Text.Json;
using Llama.Platform.Jobs.Api;
using Llama.Platform.Metadata;

namespace Llama.Cli.Pipeline.Services;

/// <summary>
/// Submits jobs to one stage service's job API and waits for them. Waiting polls the job's status rather than
/// holding its event stream open, so a stage service that is killed and started again (its job re-claimed from the
/// queue when the lease runs out) is simply waited for: the job id stays valid across the restart. The caller chooses
/// the id, so a submission repeated after the caller's own crash is recognised rather than run twice.
/// </summary>
/// <param name="unreachable">How long the service may be unreachable (restarting) before the pipeline gives up (default 10 minutes).</param>
/// <param name="pollInterval">How often to ask for the job's state (default 1 s).</param>
internal sealed class StageJobClient(HttpClient http, string role, TimeSpan? unreachable = null, TimeSpan? pollInterval = null)
{
    public TimeSpan Unreachable { get; } = unreachable ?? TimeSpan.FromMinutes(10);

    public TimeSpan PollInterval { get; } = pollInterval ?? TimeSpan.FromSeconds(1);

    public string Role => role;

    /// <summary>
    /// Submits a job whose body is <paramref name="requestJson"/> under the id <paramref name="id"/> (the
    /// <c>Idempotency-Key</c> header): submitting the same id again, as a pipeline restarted after a crash does, finds
    /// the job already queued instead of adding a second. Waits through the service being unreachable, as waiting does.
    /// </summary>
    /// <exception cref="InvalidOperationException">The service refused the job, or stayed unreachable too long.</exception>
    public async Task SubmitAsync(Guid id, string requestJson, IProgress<(double Fraction, string Status)> progress, CancellationToken cancellation)
    {
        var lastAnswer = DateTime.UtcNow;
        while (true)
        {
            using var body = new StringContent(requestJson, System.Text.Encoding.UTF8, "application/json");
            using var message = new HttpRequestMessage(HttpMethod.Post, $"/api/{role}/jobs") { Content = body };
            message.Headers.Add(StageJobApi.IdempotencyKeyHeader, id.ToString());
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(message, cancellation);
            }
            catch (HttpRequestException e)
            {
                ReportUnreachable(id, e, lastAnswer, progress);
                await Task.Delay(PollInterval, cancellation);
                continue;
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"the {role} service refused the job ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellation)}");
                return;
            }
        }
    }

    /// <summary>Waits until job <paramref name="id"/> ends; returns it when it succeeded.</summary>
    /// <exception cref="InvalidOperationException">The job failed or was cancelled (its error in the message).</exception>
    public async Task<StageJobDto> WaitAsync(Guid id, IProgress<(double Fraction, string Status)> progress, CancellationToken cancellation)
    {
        var lastAnswer = DateTime.UtcNow;
        while (true)
        {
            StageJobDto? job = null;
            try
            {
                job = await http.GetFromJsonAsync<StageJobDto>($"/api/{role}/jobs/{id}", JsonSerializerOptions.Web, cancellation);
                lastAnswer = DateTime.UtcNow;
            }
            catch (HttpRequestException e)
            {
                ReportUnreachable(id, e, lastAnswer, progress);
            }
            if (job is not null)
            {
                switch (job.State)
                {
                    case nameof(JobState.Succeeded): return job;
                    case nameof(JobState.Failed): throw new InvalidOperationException($"{role} job {id} failed: {job.Error}");
                    case nameof(JobState.Cancelled): throw new InvalidOperationException($"{role} job {id} was cancelled");
                }
                progress.Report((job.Progress, job.Message ?? job.State));
            }
            await Task.Delay(PollInterval, cancellation);
        }
    }

    /// <exception cref="InvalidOperationException">The service has not answered for longer than <see cref="Unreachable"/>.</exception>
    private void ReportUnreachable(Guid id, HttpRequestException e, DateTime lastAnswer, IProgress<(double Fraction, string Status)> progress)
    {
        if (DateTime.UtcNow - lastAnswer >= Unreachable)
            throw new InvalidOperationException($"the {role} service has not answered for {Unreachable.TotalMinutes:0} minutes (job {id}): {e.Message}", e);
        progress.Report((0, $"{role} service unreachable ({e.Message}); waiting for it to come back"));
    }
}
