using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Quantization.Tests.Quality;

/// <summary>
/// A 4-layer model with the fixture tokenizer, trained for a few seconds on Austen text (from token 4096 on, past
/// what the quality check scores) so that its next-token distributions are as peaked as a language model's:
/// random weights give near-ties that any perturbation flips, which says nothing about quantization.
/// </summary>
internal static class SmallTrainedModel
{
    public static string HeldOutText => TestFiles.RepositoryFile("data", "heldout", "austen-persuasion.txt");

    private static readonly Lazy<string> Saved = new(Train);

    /// <summary>A directory holding the trained model and its tokenizer (made once per test run; do not modify it).</summary>
    public static string Directory => Saved.Value;

    private static string Train()
    {
        var tokenizer = Llama3Tokenizer.Load(TestFiles.TokenizerModel);
        var config = LlamaConfig.Load(TestFiles.HfTiny) with
        {
            NumHiddenLayers = 4, VocabSize = tokenizer.VocabSize, BosTokenId = tokenizer.BosId, EosTokenId = [tokenizer.EosId],
        };
        var tokens = tokenizer.Encode(File.ReadAllText(HeldOutText)[..60_000]).Skip(4096).Take(16 * 65).Select(t => (long)t).ToArray();
        using var model = new LlamaModel(config);
        model.InitializeWeights(seed: 3);
        using var data = tensor(tokens).reshape(-1, 65);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-2);
        model.train();
        for (int step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            var batch = data.narrow(0, step % 4 * 4, 4);
            var logits = model.Forward(batch.narrow(1, 0, 64));
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), batch.narrow(1, 1, 64).reshape(-1));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        model.eval();
        string directory = Path.Combine(Path.GetTempPath(), "llama-quantization-tests-model-" + Guid.NewGuid().ToString("N"));
        LlamaDirectory.Save(model, directory, tokenizer);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { System.IO.Directory.Delete(directory, true); } catch (IOException) { } };
        return directory;
    }
}
