using Llama.Core.Tokenization;

namespace Llama.Alignment.Tests;

/// <summary>A small BPE trained in the test on chat-like text: Llama 3's specials, byte fallback for anything else.</summary>
internal static class TestTokenizer
{
    private static readonly Lazy<Llama3Tokenizer> Shared = new(() => BpeTrainer.TrainFromTexts(
        Enumerable.Range(0, 40).Select(i => $"user assistant system What is {i % 10} + {i % 7}? Convert {i} km to m. Repeat the word apple banana cherry {i}."),
        new BpeTrainerOptions(400)));

    public static Llama3Tokenizer Instance => Shared.Value;
}
