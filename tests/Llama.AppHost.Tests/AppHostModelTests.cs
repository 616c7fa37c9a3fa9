using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Llama.AppHost.Tests;

/// <summary>The AppHost's application model, built but not started: which resources exist and how they are wired.</summary>
public sealed class AppHostModelTests
{
    [Fact]
    public async Task The_web_ui_is_the_only_external_endpoint_and_starts_after_the_registry()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["Llama:UseContainers=false", $"Llama:DataDirectory={Path.GetTempPath()}"]);
        var web = Assert.IsType<ProjectResource>(builder.Resources.Single(r => r.Name == "web"));

        var http = Assert.Single(web.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "http");
        Assert.True(http.IsExternal);
        Assert.Contains(web.Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "registry");
        Assert.NotEmpty(web.Annotations.OfType<HealthCheckAnnotation>());

        // Every other service stays inside (in a published app: no public ingress).
        var others = builder.Resources.OfType<ProjectResource>().Where(r => r.Name != "web").ToList();
        Assert.NotEmpty(others);
        Assert.All(others, r => Assert.DoesNotContain(r.Annotations.OfType<EndpointAnnotation>(), e => e.IsExternal));
    }

    [Fact]
    public async Task The_web_ui_references_the_pipeline_service()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["Llama:UseContainers=false", $"Llama:DataDirectory={Path.GetTempPath()}"]);
        var web = Assert.IsType<ProjectResource>(builder.Resources.Single(r => r.Name == "web"));

        // A reference gives the web role services__pipeline__http__0, which Llama.Web's ServiceEndpoint.Pipeline reads
        // when Llama:PipelineUrl is unset (the AppHost end-to-end test goes through it).
        Assert.Contains(web.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource.Name == "pipeline" && r.Type == "Reference");
    }
}
