using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Tests.Checkpoints;
using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Cli;

/// <summary>`llama quantize` as a user runs it, and `llama generate` on what it writes.</summary>
public class CliQuantizeTests
{
    [Fact]
    public void Quantize_writes_an_fp8_directory_that_generate_loads()
    {
        using var work = new TemporaryDirectory();
        string source = SourceModel(work.Path), output = Path.Combine(work.Path, "fp8");
        // The verdict is pinned by the stage's own tests; here the budget is opened so the contract does not depend on it.
        var quantize = LlamaCli.Run("quantize", "--model", source, "--out", output, "--no-record", "--threads", "1",
            "--set", $"quality.text={Fixtures.RepositoryFile("data", "heldout", "austen-persuasion.txt")}", "--set", "quality.maxTokens=256",
            "--set", "quality.prompts=1", "--set", "quality.minTop1Agreement=0", "--set", "quality.maxPerplexityIncrease=1");
        Assert.True(quantize.ExitCode == 0, quantize.StandardOutput + quantize.StandardError);
        Assert.Contains("quantized 6 feed-forward layers", quantize.StandardOutput);
        Assert.True(File.Exists(Path.Combine(output, "quantization_report.md")));

        var generate = LlamaCli.Run("generate", "--model", output, "--prompt-ids", "1,2,3", "--max-new-tokens", "5", "--temperature", "0", "--output", "ids");
        Assert.True(generate.ExitCode == 0, generate.StandardError);
        Assert.Equal(5, generate.LastLine.Split(',').Length);
    }

    [Fact]
    public void Excluding_a_module_the_model_does_not_have_is_a_one_line_error()
    {
        using var work = new TemporaryDirectory();
        var result = LlamaCli.Run("quantize", "--model", SourceModel(work.Path), "--out", Path.Combine(work.Path, "fp8"), "--no-record",
            "--set", "modulesToNotConvert=[\"model.layers.9.mlp\"]");
        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.StandardError.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("'model.layers.9.mlp' matches no linear layer", error);
    }

    /// <summary>A 4-layer random model in <c>WORK/source</c> with the fixture tokenizer (the default plan quantizes layers 1 and 2).</summary>
    internal static string SourceModel(string work)
    {
        var tokenizer = Llama3Tokenizer.Load(Path.Combine(Fixtures.Tokenizer, "tokenizer.model"));
        var config = LlamaConfig.Load(Fixtures.HfTiny) with
        {
            NumHiddenLayers = 4, VocabSize = tokenizer.VocabSize, BosTokenId = tokenizer.BosId, EosTokenId = [tokenizer.EosId],
        };
        using var model = new LlamaModel(config);
        model.InitializeWeights(seed: 5);
        string directory = Path.Combine(work, "source");
        LlamaDirectory.Save(model, directory, tokenizer);
        return directory;
    }
}
