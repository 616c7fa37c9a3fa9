using Llama.Core.Config;
using Llama.Core.Generation;
using Llama.Core.Model;
using Llama.Core.Tests.Checkpoints;
using Llama.Core.Tests.Tokenization;
using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Cli;

/// <summary>The text side of the CLI: a trained tokenizer saved with a model, prompts as text, tokenizer verbs.</summary>
public class CliTextTests
{
    [Fact]
    public void Generate_with_a_text_prompt_streams_the_decoded_greedy_tokens()
    {
        using var dir = new TemporaryDirectory();
        var tokenizer = TrainingCorpus.Tokenizer;
        var config = LlamaPresets.Get("smoke") with
        {
            VocabSize = tokenizer.VocabSize, BosTokenId = tokenizer.BosId, EosTokenId = [tokenizer.EosId, tokenizer.EotId],
        };
        List<int> expectedIds;
        using (var model = new LlamaModel(config))
        {
            model.InitializeWeights(seed: 3);
            LlamaDirectory.Save(model, dir.Path, tokenizer);
            var options = SamplingOptions.Greedy with { MaxNewTokens = 12, StopTokenIds = [tokenizer.EosId, tokenizer.EotId] };
            expectedIds = new LlamaGenerator(model).Generate(tokenizer.Encode("the model learns", bos: true), options)
                .Select(t => t.Id).Where(id => !tokenizer.IsSpecial(id)).ToList();
        }

        var result = LlamaCli.Run("generate", "--model", dir.Path, "--prompt", "the model learns", "--max-new-tokens", "12", "--temperature", "0");
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(tokenizer.Decode(expectedIds), result.StandardOutput.TrimEnd('\n'));
        Assert.True(File.Exists(Path.Combine(dir.Path, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "generation_config.json")));
    }

    [Fact]
    public void Tokenizer_train_writes_files_that_encode_and_decode_round_trip()
    {
        using var dir = new TemporaryDirectory();
        string corpus = Path.Combine(dir.Path, "corpus.txt");
        File.WriteAllText(corpus, string.Join("\n", TrainingCorpus.Texts));
        string output = Path.Combine(dir.Path, "tok");

        var train = LlamaCli.Run("tokenizer", "train", corpus, "--vocab-size", "400", "--output", output);
        Assert.True(train.ExitCode == 0, train.StandardError);
        Assert.Equal(400, Llama3Tokenizer.FromDirectory(output).BaseVocabSize);

        const string text = "Größe of the 🦙 model: 3.14159";
        var encode = LlamaCli.Run("tokenizer", "encode", "--tokenizer", output, text);
        Assert.True(encode.ExitCode == 0, encode.StandardError);
        var decode = LlamaCli.Run("tokenizer", "decode", "--tokenizer", output, encode.LastLine);
        Assert.Equal(text, decode.LastLine);
    }

    [Fact]
    public void Tokenizer_train_names_a_missing_input()
    {
        var result = LlamaCli.Run("tokenizer", "train", "/no/such/corpus.txt", "--output", Path.GetTempPath());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/no/such/corpus.txt", result.StandardError);
    }
}
