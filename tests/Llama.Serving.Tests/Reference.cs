using Llama.Core.Generation;
using Llama.Core.Tokenization;

namespace Llama.Serving.Tests;

/// <summary>What <c>llama generate</c> produces in-process (LlamaGenerator + StreamingTextGenerator) for the served model.</summary>
internal static class Reference
{
    private static readonly Lazy<Core.Model.LlamaModel> Model = new(TinyModel.Load);
    private static readonly Lazy<Llama3Tokenizer> LazyTokenizer = new(TinyModel.Tokenizer);

    public static Llama3Tokenizer Tokenizer => LazyTokenizer.Value;

    /// <summary>The stop ids `llama generate` uses: the config's eos ids, end_of_text, end-of-turn.</summary>
    public static int[] StopIds => [.. new[] { 2, Tokenizer.EosId, Tokenizer.EotId }.Distinct()];

    public static string GreedyText(IReadOnlyList<int> promptIds, int maxNewTokens, params string[] stop)
    {
        lock (Model)
        {
            var options = SamplingOptions.Greedy with { MaxNewTokens = maxNewTokens, StopTokenIds = StopIds, StopStrings = stop };
            var generator = new StreamingTextGenerator(new LlamaGenerator(Model.Value), Tokenizer);
            return string.Concat(generator.Generate(promptIds, options).Select(d => d.Text));
        }
    }

    public static IReadOnlyList<int> Chat(string user) => Llama3ChatTemplate.Encode(Tokenizer, [new ChatMessage("user", user)]).Ids;

    public static IReadOnlyList<int> Text(string prompt) => Tokenizer.Encode(prompt, bos: true);
}
