using System.Text.Json;
using Llama.Cli.Pipeline;
using Llama.Cli.Pipeline.Steps;
using Llama.Curation.Service;
using Llama.Pretraining.Service;

namespace Llama.Core.Tests.Pipeline;

/// <summary>What the pipeline submits to each stage service passes that service's own request validation.</summary>
public class ServiceRequestTests
{
    [Fact]
    public void The_curation_and_pretraining_job_bodies_are_valid_requests_of_their_services()
    {
        using var work = new Checkpoints.TemporaryDirectory();
        var state = PipelineState.LoadOrCreate(work.Path, "smoke");
        var context = new PipelineContext(work.Path, PipelinePreset.Get("smoke"), Fixtures.RepositoryFile("data"), null, state, "cpu",
            new Progress<(double, string)>());
        var curation = JsonDocument.Parse(new CurateStep().ServiceRequestJson(context)).RootElement;
        Assert.Null(CurationJobRequest.Validate(curation));

        state.Finish("1-curate", new StepRecord { Outputs = new Dictionary<string, string> { ["data"] = work.Path } });
        var pretraining = JsonDocument.Parse(new PretrainStep().ServiceRequestJson(context)).RootElement;
        Assert.Null(PretrainingJobRequest.Validate(pretraining));
    }
}
