using Llama.Platform.Jobs.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Llama.Curation.Service;

/// <summary>
/// The curation service's API: the shared stage job API (<c>/api/curation/jobs</c>: submit, status, events,
/// cancel, artifacts) plus the finished run's report.
/// </summary>
public static class CurationApi
{
    public static RouteGroupBuilder MapCurationApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapStageJobApi("curation", CurationJobRequest.Kind, CurationJobRequest.Validate);
        jobs.MapStageReport("curation", [("json", "report.json", "application/json"), ("md", "report.md", "text/markdown")]);
        return jobs;
    }
}
