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
    public void Every_steps_job_body_is_a_valid_request_of_its_service()
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

        state.Finish("2-pretrain", new StepRecord { Outputs = new Dictionary<string, string> { ["model"] = work.Path } });
        Assert.Null(Llama.Alignment.Service.AlignmentJobRequest.Validate(JsonDocument.Parse(new AlignStep().ServiceRequestJson(context)).RootElement));
        state.Finish(AlignStep.StepName, new StepRecord { Outputs = new Dictionary<string, string> { ["model"] = work.Path } });
        Assert.Null(Llama.Quantization.Service.QuantizationJobRequest.Validate(JsonDocument.Parse(new QuantizeStep().ServiceRequestJson(context)).RootElement));
        var evaluate = new EvaluateStep("5-evaluate-base", "2-pretrain", "pretrained");
        Assert.Null(Llama.Evaluation.Service.EvaluationJobRequest.Validate(JsonDocument.Parse(evaluate.ServiceRequestJson(context)).RootElement));
    }
}
