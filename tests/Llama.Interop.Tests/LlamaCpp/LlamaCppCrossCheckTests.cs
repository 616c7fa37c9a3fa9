using System.Text.Json;
using Llama.Core;
using Llama.Core.Checkpoints;
using Llama.Core.Generation;
using Llama.Core.Tokenization;
using Llama.Interop.Gguf;
using Llama.Interop.LlamaCpp;

namespace Llama.Interop.Tests.LlamaCpp;

/// <summary>A model trained once for the class (a few seconds) and its GGUF export.</summary>
public sealed class TrainedModelFixture
{
    public TrainedModelFixture()
    {
        Directory = TestModels.TrainTinyModel();
        GgufPath = Path.Combine(Directory, "model.gguf");
        LlamaGgufExporter.Export(Directory, GgufPath, GgufExportDtype.F32);
    }

    public string Directory { get; }
    public string GgufPath { get; }
}

/// <summary>
/// The exported file run by llama.cpp (LLamaSharp's CPU build), an independent implementation of Llama, against
/// our engine: same greedy tokens, same tokenization.
/// </summary>
public sealed class LlamaCppCrossCheckTests(TrainedModelFixture trained) : IClassFixture<TrainedModelFixture>
{
    private const int NewTokens = 32;

    private static int[] OurGreedy(string directory, IReadOnlyList<int> prompt)
    {
        using var model = LlamaDirectory.Load(directory);
        return new LlamaGenerator(model).Generate(prompt, SamplingOptions.Greedy with { MaxNewTokens = NewTokens }).Select(t => t.Id).ToArray();
    }

    [Fact]
    public void Hf_llama_export_decodes_the_same_greedy_tokens_in_llama_cpp_as_in_our_engine_and_transformers()
    {
        string dir = TestModels.HfTinyWithByteTokenizer();
        string gguf = Path.Combine(dir, "model.gguf");
        LlamaGgufExporter.Export(dir, gguf, GgufExportDtype.F32);
        using var reference = SafetensorsReader.Open(Path.Combine(TestModels.HfTiny, "reference.safetensors"));
        int[] prompt = reference.ReadTensor("greedy_prompt").data<long>().Select(v => (int)v).ToArray();
        int[] transformers = reference.ReadTensor("greedy_output").data<long>().Skip(prompt.Length).Select(v => (int)v).ToArray();

        using var engine = new LlamaCppEngine(gguf);
        int[] llamaCpp = engine.GenerateGreedy(prompt, NewTokens);
        int[] ours = OurGreedy(dir, prompt);

        Assert.Equal(ours, llamaCpp);
        Assert.Equal(transformers, llamaCpp.Take(transformers.Length)); // the 20 tokens transformers recorded
    }

    [Fact]
    public void Trained_model_export_decodes_the_same_greedy_tokens_in_llama_cpp_as_in_our_engine()
    {
        var tokenizer = Llama3Tokenizer.FromDirectory(trained.Directory);
        var prompt = tokenizer.Encode("Emma Woodhouse, handsome, clever, and rich,", bos: true);
        using var engine = new LlamaCppEngine(trained.GgufPath);
        int[] llamaCpp = engine.GenerateGreedy(prompt, NewTokens);
        int[] ours = OurGreedy(trained.Directory, prompt);
        Assert.Equal(ours, llamaCpp);
        Assert.True(ours.Distinct().Count() > 3, "the trained model should produce varied text, not one repeated token");
    }

    [Fact]
    public void Llama_cpp_tokenizes_multilingual_text_with_the_exported_vocabulary_exactly_as_we_and_tiktoken_do()
    {
        var tokenizer = Llama3Tokenizer.FromDirectory(trained.Directory);
        using var engine = new LlamaCppEngine(trained.GgufPath);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestModels.Fixtures, "tokenizer", "tiktoken_reference.json")));
        int compared = 0;
        foreach (var c in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            int[] tiktoken = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(tiktoken, tokenizer.Encode(text));
            Assert.True(tiktoken.SequenceEqual(engine.Tokenize(text, addBos: false)), $"llama.cpp tokenizes {JsonSerializer.Serialize(text)} differently");
            compared++;
        }
        Assert.True(compared >= 20);
        Assert.Equal([tokenizer.BosId, .. tokenizer.Encode("Grüße")], engine.Tokenize("Grüße", addBos: true));
    }

    [Fact]
    public void Parallel_decoding_in_llama_cpp_gives_each_sequence_its_single_stream_tokens()
    {
        var tokenizer = Llama3Tokenizer.FromDirectory(trained.Directory);
        IReadOnlyList<int>[] prompts = [tokenizer.Encode("Emma Woodhouse,", bos: true), tokenizer.Encode("Miss Taylor married", bos: true)];
        using var engine = new LlamaCppEngine(trained.GgufPath, new LlamaCppOptions { Sequences = 2 });
        var run = engine.RunGreedy(prompts, 16);
        Assert.Equal(engine.GenerateGreedy(prompts[0], 16), run.Tokens[0]);
        Assert.Equal(engine.GenerateGreedy(prompts[1], 16), run.Tokens[1]);
        Assert.NotEqual(run.Tokens[0], run.Tokens[1]);
    }
}
