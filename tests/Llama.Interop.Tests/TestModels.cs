using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Interop.Tests;

/// <summary>Fixture paths, and the two model folders the llama.cpp checks use.</summary>
internal static class TestModels
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string HfTiny => Path.Combine(Fixtures, "hf-llama3-tiny");
    public static string TokenizerModel => Path.Combine(Fixtures, "tokenizer", "tokenizer.model");

    public static string NewTempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "llama-interop-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// hf-llama3-tiny (random weights, vocab 512, no tokenizer) plus the one Llama 3 tokenizer that fits 512 ids:
    /// the 256 single bytes as ranks, then the 256 specials. Tokens stay ids in these tests; the tokenizer only
    /// lets the file be a complete GGUF.
    /// </summary>
    public static string HfTinyWithByteTokenizer()
    {
        string dir = NewTempDirectory();
        foreach (var file in Directory.GetFiles(HfTiny)) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        Llama3Tokenizer.FromRanks(Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToArray()).Save(dir);
        return dir;
    }

    /// <summary>
    /// A small model trained here in a few seconds on a chapter of Emma with the fixture tokenizer (1,000 ranks +
    /// 256 specials), tied embeddings and llama3 RoPE scaling, so its greedy continuations have clear margins.
    /// </summary>
    public static string TrainTinyModel(int steps = 120)
    {
        var tokenizer = Llama3Tokenizer.Load(TokenizerModel);
        var config = new LlamaConfig
        {
            VocabSize = tokenizer.VocabSize, HiddenSize = 64, IntermediateSize = 192, NumHiddenLayers = 2,
            NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 16, MaxPositionEmbeddings = 512,
            RopeTheta = 500000, RopeScaling = RopeScaling.Llama31, TieWordEmbeddings = true,
            BosTokenId = tokenizer.BosId, EosTokenId = [tokenizer.EosId],
        };
        string text = File.ReadAllText(RepositoryFile("data", "corpus", "austen", "emma", "chapter-002.txt"));
        var ids = tokenizer.Encode(text[..Math.Min(text.Length, 12_000)]).Select(i => (long)i).ToArray();

        using var model = new LlamaModel(config);
        model.InitializeWeights(seed: 7);
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-3);
        var random = new Random(11);
        const int batch = 8, length = 64;
        model.train();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var windows = new long[batch * (length + 1)];
            for (int b = 0; b < batch; b++)
                Array.Copy(ids, random.Next(ids.Length - length - 1), windows, b * (length + 1), length + 1);
            var tokens = tensor(windows).reshape(batch, length + 1);
            var logits = model.Forward(tokens.narrow(1, 0, length));
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), tokens.narrow(1, 1, length).reshape(-1));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        model.eval();
        string dir = NewTempDirectory();
        LlamaDirectory.Save(model, dir, tokenizer);
        return dir;
    }

    /// <summary>A file of the repository (the demo corpus in data/), found by walking up to Llama.sln.</summary>
    public static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Llama.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("the repository root (Llama.sln) is not above the test binaries");
    }
}
