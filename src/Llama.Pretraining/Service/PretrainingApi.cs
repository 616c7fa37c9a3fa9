using Llama.Platform.Jobs.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Llama.Pretraining.Service;

/// <summary>The pretraining service's API: the shared stage job API plus the finished run's report and loss curve.</summary>
public static class PretrainingApi
{
    public static RouteGroupBuilder MapPretrainingApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapStageJobApi("pretraining", PretrainingJobRequest.Kind, PretrainingJobRequest.Validate);
        jobs.MapStageReport("pretraining",
            [("json", "report.json", "application/json"), ("md", "report.md", "text/markdown"), ("png", "loss.png", "image/png")]);
        return jobs;
    }
}
