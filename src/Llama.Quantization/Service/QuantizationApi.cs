using Llama.Platform.Jobs.Api;
using Llama.Quantization.Running;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Llama.Quantization.Service;

/// <summary>The quantization service's API: the shared stage job API plus the finished job's quality report.</summary>
public static class QuantizationApi
{
    public static RouteGroupBuilder MapQuantizationApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapStageJobApi("quantization", QuantizationJobRequest.Kind, QuantizationJobRequest.Validate);
        jobs.MapStageReport("quantization",
            [("json", QuantizationReport.JsonFileName, "application/json"), ("md", QuantizationReport.MarkdownFileName, "text/markdown")]);
        return jobs;
    }
}
