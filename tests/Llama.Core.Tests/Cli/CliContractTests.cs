using Llama.Core.Tests.Model;

namespace Llama.Core.Tests.Cli;

/// <summary>The command lines the issue spells out as a contract, run as a user would.</summary>
public class CliContractTests
{
    [Theory]
    [InlineData("auto")]
    [InlineData("torch")]
    public void Generate_prints_the_new_greedy_ids_of_transformers_as_the_last_line(string engine)
    {
        var prompt = HfReference.Read("greedy_prompt").data<long>().ToArray();
        var expected = HfReference.Read("greedy_output").data<long>().Skip(prompt.Length).ToArray();
        var result = LlamaCli.Run("generate", "--model", Fixtures.HfTiny, "--prompt-ids", string.Join(",", prompt),
            "--max-new-tokens", expected.Length.ToString(), "--temperature", "0", "--output", "ids", "--engine", engine);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(string.Join(",", expected), result.LastLine);
    }

    [Fact]
    public void Info_prints_the_parameter_count_of_a_preset()
    {
        var result = LlamaCli.Run("info", "llama3.1-8b");
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("8,030,261,248", result.StandardOutput);
        Assert.Contains("FLOPs per token", result.StandardOutput);
    }

    [Theory]
    [InlineData("--prompt-ids", "1,2,x", "'x' is not a token id")]
    [InlineData("--prompt-ids", "1,99999", "'99999' is not a token id in [0, 512)")]
    [InlineData("--device", "cuda:0", "CUDA is not available")]
    [InlineData("--engine", "fast", "--engine 'fast' must be auto, torch or simd")]
    public void Bad_input_gives_one_clear_error_line_and_exit_code_1(string flag, string value, string expected)
    {
        var args = new List<string> { "generate", "--model", Fixtures.HfTiny, "--max-new-tokens", "2", "--output", "ids" };
        if (flag != "--prompt-ids") args.AddRange(["--prompt-ids", "1,2"]);
        args.AddRange([flag, value]);
        var result = LlamaCli.Run(args.ToArray());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.StandardError);
    }

    [Fact]
    public void Asking_for_the_simd_engine_on_bfloat16_weights_says_why_it_does_not_apply()
    {
        var result = LlamaCli.Run("generate", "--model", Fixtures.HfTiny, "--prompt-ids", "1,2", "--output", "ids", "--dtype", "bfloat16", "--engine", "simd");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the simd decode engine does not apply: the model's weights are BFloat16", result.StandardError);
    }

    [Fact]
    public void A_missing_model_directory_is_named_in_the_error()
    {
        var result = LlamaCli.Run("generate", "--model", "/no/such/model", "--prompt-ids", "1", "--output", "ids");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/no/such/model", result.StandardError);
    }
}
