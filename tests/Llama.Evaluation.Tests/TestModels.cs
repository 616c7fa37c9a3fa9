using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Tokenization;

namespace Llama.Evaluation.Tests;

internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string HfTiny => Path.Combine(Root, "hf-llama3-tiny");
    public static string TokenizerModel => Path.Combine(Root, "tokenizer", "tokenizer.model");

    /// <summary>The repository's data/ folder (held-out sets are part of the clone).</summary>
    public static string DataDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Llama.sln"))) return Path.Combine(dir.FullName, "data");
            throw new InvalidOperationException("the repository root (Llama.sln) is not above the test binaries");
        }
    }
}

/// <summary>Models with random weights, built in milliseconds, for tests that need a tokenizer-matched model.</summary>
internal static class TestModels
{
    public static Llama3Tokenizer Tokenizer() => Llama3Tokenizer.Load(Fixtures.TokenizerModel);

    public static LlamaModel Random(Llama3Tokenizer tokenizer, long seed = 7)
    {
        var config = LlamaPresets.Get("tiny") with
        {
            VocabSize = tokenizer.VocabSize, HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2,
            NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 16, MaxPositionEmbeddings = 512,
            BosTokenId = tokenizer.BosId, EosTokenId = [tokenizer.EosId, tokenizer.EotId],
        };
        var model = new LlamaModel(config);
        model.InitializeWeights(seed);
        return model;
    }

    /// <summary>A random model saved as a Hugging Face directory with its tokenizer.</summary>
    public static string SaveRandom(string directory, long seed = 7)
    {
        var tokenizer = Tokenizer();
        using var model = Random(tokenizer, seed);
        LlamaDirectory.Save(model, directory, tokenizer);
        return directory;
    }
}
