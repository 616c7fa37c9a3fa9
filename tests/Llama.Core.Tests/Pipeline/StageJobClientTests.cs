using System.Net;
using System.Text;
using Llama.Cli.Pipeline.Services;

namespace Llama.Core.Tests.Pipeline;

/// <summary>The pipeline's view of a stage service: it waits through a service restart, and reports failures with their error.</summary>
public class StageJobClientTests
{
    private static readonly Guid JobId = Guid.Parse("6f0d8a52-3a0e-4d7b-9d55-0a4a1c7e2b11");

    /// <summary>Answers each status request with the next scripted response; null stands for a refused connection.</summary>
    private sealed class ScriptedService(params string?[] states) : HttpMessageHandler
    {
        private int _next;
        public int Requests => _next;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal($"/api/curation/jobs/{JobId}", request.RequestUri!.AbsolutePath);
            string? state = states[Math.Min(_next++, states.Length - 1)];
            if (state is null) throw new HttpRequestException("Connection refused");
            string error = state == "Failed" ? "\"boom: out of disk\"" : "null";
            string json = $$"""{"id":"{{JobId}}","kind":"curation.run","state":"{{state}}","progress":0.5,"message":"shard 1/2","attempts":1,"error":{{error}},"createdAt":"2026-11-26T00:00:00Z"}""";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }

    private static (StageJobClient Client, ScriptedService Service) Client(TimeSpan unreachable, params string?[] states)
    {
        var service = new ScriptedService(states);
        var http = new HttpClient(service) { BaseAddress = new Uri("http://curation") };
        return (new StageJobClient(http, "curation", unreachable, pollInterval: TimeSpan.FromMilliseconds(1)), service);
    }

    [Fact]
    public async Task Waiting_carries_on_while_the_service_restarts_and_returns_the_succeeded_job()
    {
        var (client, service) = Client(TimeSpan.FromMinutes(1), "Running", null, null, "Running", "Succeeded");
        var job = await client.WaitAsync(JobId, new Progress<(double, string)>(), CancellationToken.None);
        Assert.Equal(("Succeeded", 5), (job.State, service.Requests));
    }

    [Fact]
    public async Task A_failed_job_is_an_error_carrying_the_stage_error()
    {
        var (client, _) = Client(TimeSpan.FromMinutes(1), "Running", "Failed");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.WaitAsync(JobId, new Progress<(double, string)>(), CancellationToken.None));
        Assert.Contains("curation job", error.Message);
        Assert.Contains("boom: out of disk", error.Message);
    }

    [Fact]
    public async Task A_service_gone_for_longer_than_the_limit_is_an_error_naming_it()
    {
        var (client, _) = Client(TimeSpan.FromMilliseconds(50), (string?)null);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.WaitAsync(JobId, new Progress<(double, string)>(), CancellationToken.None));
        Assert.Contains("curation service has not answered", error.Message);
    }

    /// <summary>Refuses the first <paramref name="refusals"/> connections, then accepts; keeps every submission's key.</summary>
    private sealed class RestartingService(int refusals) : HttpMessageHandler
    {
        public List<string> Keys { get; } = [];
        public int Attempts { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal((HttpMethod.Post, "/api/curation/jobs"), (request.Method, request.RequestUri!.AbsolutePath));
            if (Attempts++ < refusals) throw new HttpRequestException("Connection refused");
            Keys.Add(string.Join(",", request.Headers.GetValues("Idempotency-Key")));
            string json = $$"""{"id":"{{JobId}}","status":"/api/curation/jobs/{{JobId}}","events":"/api/curation/jobs/{{JobId}}/events"}""";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }

    [Fact]
    public async Task Submitting_names_the_chosen_job_id_and_carries_on_while_the_service_restarts()
    {
        var service = new RestartingService(refusals: 2);
        var client = new StageJobClient(new HttpClient(service) { BaseAddress = new Uri("http://curation") }, "curation", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(1));

        await client.SubmitAsync(JobId, "{}", new Progress<(double, string)>(), CancellationToken.None);

        Assert.Equal(3, service.Attempts);
        Assert.Equal([JobId.ToString()], service.Keys);
    }
}
