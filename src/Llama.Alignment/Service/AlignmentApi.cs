using Llama.Platform.Jobs.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Llama.Alignment.Service;

/// <summary>The alignment service's API: the shared stage job API plus the finished run's report.</summary>
public static class AlignmentApi
{
    public static RouteGroupBuilder MapAlignmentApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapStageJobApi("alignment", AlignmentJobRequest.Kind, AlignmentJobRequest.Validate);
        jobs.MapStageReport("alignment", [("json", "report.json", "application/json"), ("md", "report.md", "text/markdown")]);
        return jobs;
    }
}
