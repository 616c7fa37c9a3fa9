using System.Text.Json;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Tests.Checkpoints;
using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Cli;

/// <summary>`llama eval` as a user runs it: the contract's flags, its results file, and bad input as one line.</summary>
public class CliEvalTests
{
    private static string SaveRandomModel(string directory)
    {
        var tokenizer = Llama3Tokenizer.Load(Path.Combine(Fixtures.Tokenizer, "tokenizer.model"));
        var config = LlamaPresets.Get("tiny") with
        {
            VocabSize = tokenizer.VocabSize, HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 1, NumAttentionHeads = 4,
            NumKeyValueHeads = 2, HeadDim = 16, BosTokenId = tokenizer.BosId, EosTokenId = [tokenizer.EosId, tokenizer.EotId],
        };
        using var model = new LlamaModel(config);
        model.InitializeWeights(3);
        LlamaDirectory.Save(model, directory, tokenizer);
        return directory;
    }

    [Fact]
    public void Eval_writes_the_results_file_and_says_when_the_limit_exceeds_the_task()
    {
        using var work = new TemporaryDirectory();
        string model = SaveRandomModel(Path.Combine(work.Path, "model"));
        File.WriteAllText(Path.Combine(work.Path, "sums.jsonl"), "{\"q\": \"2 + 2 =\", \"options\": [\"3\", \"4\"], \"gold\": 1}\n{\"q\": \"3 + 3 =\", \"options\": [\"6\", \"7\"], \"gold\": 0}\n");
        string task = Path.Combine(work.Path, "sums.yaml");
        File.WriteAllText(task, "task: sums\noutput_type: multiple_choice\nsource:\n  kind: jsonl\n  path: sums.jsonl\ndoc_to_text: \"{{q}}\"\ndoc_to_target: \"{{gold}}\"\ndoc_to_choice: options\n");
        string output = Path.Combine(work.Path, "results.json");

        var result = LlamaCli.Run("eval", "--model", model, "--tasks", $"{task},quiz", "--limit", "5", "--output", output, "--no-record",
            "--data", Fixtures.RepositoryFile("data"), "--threads", "1");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("--limit 5 is larger than the task (2 items)", result.StandardError);
        var results = JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("results");
        Assert.Equal(2, results.GetProperty("sums").GetProperty("samples").GetInt32());
        Assert.Equal(5, results.GetProperty("quiz").GetProperty("samples").GetInt32());
        Assert.InRange(results.GetProperty("quiz").GetProperty("acc").GetDouble(), 0, 1);
        Assert.Equal("raw", results.GetProperty("quiz").GetProperty("format").GetProperty("formatting").GetString());
    }

    [Fact]
    public void A_task_file_with_a_syntax_error_is_one_line_naming_file_and_line()
    {
        using var work = new TemporaryDirectory();
        string task = Path.Combine(work.Path, "bad.yaml");
        File.WriteAllText(task, "task: bad\noutput_type: multiple_choice\ndoc_to_text: \"unclosed\n");
        var result = LlamaCli.Run("eval", "--model", work.Path, "--tasks", task, "--no-record");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {task}:3:", result.StandardError.Trim());
        Assert.Single(result.StandardError.Trim().Split('\n'));
    }

    [Fact]
    public void A_model_that_cannot_be_loaded_is_one_line()
    {
        using var work = new TemporaryDirectory();
        var result = LlamaCli.Run("eval", "--model", work.Path, "--tasks", "quiz", "--no-record", "--data", Fixtures.RepositoryFile("data"));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: --model {work.Path}: cannot load the model:", result.StandardError.Trim());
    }
}
