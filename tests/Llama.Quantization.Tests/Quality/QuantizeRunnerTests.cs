using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Quantization;
using Llama.Core.Tokenization;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Quantization.Running;

namespace Llama.Quantization.Tests.Quality;

/// <summary>
/// The whole stage on a small trained model (4 layers, so the default plan quantizes layers 1-2), scored on the
/// repository's held-out Austen text.
/// </summary>
public sealed class QuantizeRunnerTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    private QuantizeConfig SmallCheck(QuantizeConfig? config = null) => (config ?? new QuantizeConfig()) with
    {
        Quality = (config ?? new QuantizeConfig()).Quality with
        {
            Text = SmallTrainedModel.HeldOutText, MaxTokens = 512, Window = 128, Prompts = 2, ContinuationTokens = 8,
        },
    };

    [Fact]
    public async Task A_faithful_quantization_is_promoted_and_loads_back()
    {
        string source = SmallTrainedModel.Directory;
        string output = _scratch.Combine("fp8");
        var outcome = await QuantizeRunner.RunAsync(new QuantizeRequest(source, output, SmallCheck()), platform: null);
        var report = outcome.Report;

        Assert.True(report.Promoted, string.Join("; ", report.Quality.Violations));
        Assert.Equal(6, report.Quantized.Count);
        Assert.Equal(4.0, report.Size.CodesRatio);
        Assert.InRange(Math.Abs(report.Quality.PerplexityIncrease), 0, 0.02);
        Assert.Equal(0f, report.ReloadMaxAbsLogitDifference);
        Assert.True(File.Exists(Path.Combine(output, QuantizationReport.MarkdownFileName)));
        Assert.True(File.Exists(Path.Combine(output, "tokenizer.model")));
        using var loaded = LlamaDirectory.Load(output);
        Assert.Equal(6, Fp8ModelLayout.Fp8Modules(loaded).Count);
    }

    [Fact]
    public async Task A_quantization_beyond_the_budget_is_flagged_and_recorded_as_not_promoted()
    {
        // An activation bound far below the activations' range saturates every token: every layer's MLP input collapses.
        string source = SmallTrainedModel.Directory;
        var platform = PlatformSettings.Embedded(_scratch.Combine("home"));
        var config = SmallCheck(new QuantizeConfig { ActivationScaleUpperBound = 1e-4f, SkipFirstLayers = 0, SkipLastLayers = 0 });
        var outcome = await QuantizeRunner.RunAsync(new QuantizeRequest(source, _scratch.Combine("bad"), config), platform);

        Assert.False(outcome.Report.Promoted, outcome.Report.ToMarkdown());
        Assert.NotEmpty(outcome.Report.Quality.Violations);
        var registry = new ArtifactRegistry(new MetadataStore(platform.Metadata));
        var artifact = await registry.GetAsync(outcome.ModelArtifactId!.Value);
        Assert.Equal("flagged-model", artifact.Kind);
        var parent = Assert.Single(await registry.ParentsAsync(artifact.Id));
        Assert.Equal("quantized-from", parent.Relation);
        // The only model on the record is the source folder (registered in place); the flagged result is not offered as one.
        Assert.Equal([parent.Artifact.Id], (await registry.ListAsync("model")).Select(a => a.Id));
        Assert.StartsWith("file://", parent.Artifact.Uri);
    }

    [Fact]
    public async Task A_promoted_quantization_is_a_model_artifact_made_from_its_source()
    {
        string source = SmallTrainedModel.Directory;
        var platform = PlatformSettings.Embedded(_scratch.Combine("home"));
        var outcome = await QuantizeRunner.RunAsync(new QuantizeRequest(source, _scratch.Combine("fp8"), SmallCheck()), platform);
        var registry = new ArtifactRegistry(new MetadataStore(platform.Metadata));
        var artifact = await registry.GetAsync(outcome.ModelArtifactId!.Value);
        Assert.Equal("model", artifact.Kind);
        var lineage = await registry.LineageAsync(artifact.Id, LineageDirection.Up);
        Assert.Contains(lineage.Edges, e => e.Relation == "quantized-from");
    }

    public void Dispose() => _scratch.Dispose();
}
