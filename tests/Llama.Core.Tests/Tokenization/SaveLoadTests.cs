using System.Text.Json;
using System.Text.RegularExpressions;
using Llama.Core.Tokenization;
using Microsoft.ML.Tokenizers;

namespace Llama.Core.Tests.Tokenization;

public sealed class SaveLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llama-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IEnumerable<string> SampleTexts =>
        TokenizerReference.Cases.Select(c => c.Text).Concat(TrainingCorpus.Texts.Take(200));

    [Fact]
    public void Saved_trained_tokenizer_loads_from_model_and_json_with_identical_ids()
    {
        var trained = TrainingCorpus.Tokenizer;
        trained.Save(_dir);
        var fromModel = Llama3Tokenizer.Load(Path.Combine(_dir, "tokenizer.model"));
        var fromJson = Llama3Tokenizer.FromHuggingFaceJson(Path.Combine(_dir, "tokenizer.json"));

        Assert.Equal(trained.SpecialTokens.OrderBy(p => p.Value), fromJson.SpecialTokens.OrderBy(p => p.Value));
        Assert.Equal(trained.VocabSize, fromModel.VocabSize);
        Assert.Equal(trained.VocabSize, fromJson.VocabSize);
        foreach (var text in SampleTexts)
        {
            var expected = trained.Encode(text);
            Assert.Equal(expected, fromModel.Encode(text));
            Assert.Equal(expected, fromJson.Encode(text));
        }
    }

    [Fact]
    public void Saved_model_file_is_byte_identical_to_the_fixture()
    {
        TokenizerReference.Tokenizer.Save(_dir);
        Assert.Equal(
            File.ReadAllText(TokenizerReference.ModelPath).ReplaceLineEndings("\n").TrimEnd('\n'),
            File.ReadAllText(Path.Combine(_dir, "tokenizer.model")).TrimEnd('\n'));
    }

    [Fact]
    public void Json_from_fixture_reproduces_the_tiktoken_reference()
    {
        TokenizerReference.Tokenizer.Save(_dir);
        var fromJson = Llama3Tokenizer.FromHuggingFaceJson(Path.Combine(_dir, "tokenizer.json"));
        foreach (var c in TokenizerReference.Cases)
            Assert.Equal(c.Ids, fromJson.Encode(c.Text));
    }

    [Fact]
    public void Json_merges_reproduce_the_ids_in_a_merge_based_bpe()
    {
        // Hugging Face's BPE ignores ids' order and only follows the merge list: a merge-list BPE (here
        // Microsoft.ML's BpeTokenizer, byte-level) over our vocab + merges must give tiktoken's ids.
        TokenizerReference.Tokenizer.Save(_dir);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "tokenizer.json")));
        var model = json.RootElement.GetProperty("model");
        var vocab = model.GetProperty("vocab").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetInt32())).ToList();
        var merges = model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()!).ToList();
        var bpe = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(Llama3SplitPattern.Value), null),
        });
        foreach (var c in TokenizerReference.Cases.Where(c => !c.Text.Contains("<|", StringComparison.Ordinal)))
            Assert.Equal(c.Ids, bpe.EncodeToIds(c.Text));
    }

    [Fact]
    public void Json_has_the_Llama3_layout()
    {
        TokenizerReference.Tokenizer.Save(_dir);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "tokenizer.json")));
        var root = json.RootElement;
        var model = root.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.Equal(0x20, model.GetProperty("vocab").GetProperty("Ġ").GetInt32());
        var split = root.GetProperty("pre_tokenizer").GetProperty("pretokenizers")[0];
        Assert.Equal(TokenizerReference.Pattern, split.GetProperty("pattern").GetProperty("Regex").GetString());
        var added = root.GetProperty("added_tokens").EnumerateArray().ToList();
        Assert.Equal(256, added.Count);
        Assert.All(added, a => Assert.True(a.GetProperty("special").GetBoolean()));
        Assert.Equal("<|begin_of_text|>", added[0].GetProperty("content").GetString());
        Assert.Equal(1000, added[0].GetProperty("id").GetInt32());
    }

    [Fact]
    public void Config_names_bos_eos_and_the_chat_template()
    {
        TokenizerReference.Tokenizer.Save(_dir, modelMaxLength: 8192);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "tokenizer_config.json")));
        var root = json.RootElement;
        Assert.Equal("<|begin_of_text|>", root.GetProperty("bos_token").GetString());
        Assert.Equal("<|end_of_text|>", root.GetProperty("eos_token").GetString());
        Assert.Equal(8192, root.GetProperty("model_max_length").GetInt32());
        Assert.Equal(Llama3ChatTemplate.JinjaTemplate, root.GetProperty("chat_template").GetString());
    }

    [Fact]
    public void FromDirectory_finds_the_model_in_original_subfolder()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "original"));
        File.Copy(TokenizerReference.ModelPath, Path.Combine(_dir, "original", "tokenizer.model"));
        var tokenizer = Llama3Tokenizer.FromDirectory(_dir);
        Assert.Equal(TokenizerReference.Cases[0].Ids, tokenizer.Encode(TokenizerReference.Cases[0].Text));
    }

    [Fact]
    public void FromDirectory_falls_back_to_tokenizer_json()
    {
        TrainingCorpus.Tokenizer.Save(_dir);
        File.Delete(Path.Combine(_dir, "tokenizer.model"));
        var tokenizer = Llama3Tokenizer.FromDirectory(_dir);
        Assert.Equal(TrainingCorpus.Tokenizer.Encode("Llama attention"), tokenizer.Encode("Llama attention"));
    }

    [Fact]
    public void Json_keeps_a_custom_split_pattern()
    {
        const string digitsAlone = @"\p{N}|[^\p{N}]+";
        var custom = BpeTrainer.TrainFromTexts(TrainingCorpus.Texts, new BpeTrainerOptions(300, Pattern: digitsAlone));
        custom.Save(_dir);
        var loaded = Llama3Tokenizer.FromHuggingFaceJson(Path.Combine(_dir, "tokenizer.json"));
        Assert.Equal(digitsAlone, loaded.Pattern);
        Assert.Equal(custom.Encode("abc 12345 def"), loaded.Encode("abc 12345 def"));
    }
}
