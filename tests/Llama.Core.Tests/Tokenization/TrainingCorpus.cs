using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Tokenization;

/// <summary>A small deterministic multilingual corpus and a tokenizer trained on it, shared by the tests.</summary>
internal static class TrainingCorpus
{
    private static readonly string[] Words =
    [
        "the", "tokenizer", "merges", "pairs", "of", "bytes", "into", "tokens", "and", "a", "model", "learns",
        "Llama", "attention", "layer", "weights", "gradient", "training", "data", "is", "not", "it's", "we've",
        "Größe", "straße", "naïve", "café", "Привет", "мир", "日本語", "テキスト", "مرحبا", "🦙", "👩‍💻",
        "1234", "3.14159", "2026-11-26", "x**2", "f(x)", "return", "def", "<tag>", "--flag", "https://example.org",
    ];
    private static readonly string[] Separators = [" ", " ", " ", "  ", ", ", ". ", "\n", "\r\n", "\t", "\n\n    "];

    /// <summary>About 2,000 lines of pseudo-text from a seeded generator plus the reference strings.</summary>
    public static IReadOnlyList<string> Texts { get; } = Build(seed: 1234, lines: 2000);

    public static BpeTrainerOptions Options { get; } = new(VocabSize: 500);

    private static readonly Lazy<Llama3Tokenizer> Trained = new(() => BpeTrainer.TrainFromTexts(Texts, Options));

    /// <summary>A tokenizer trained on <see cref="Texts"/> with <see cref="Options"/>.</summary>
    public static Llama3Tokenizer Tokenizer => Trained.Value;

    public static IReadOnlyList<string> Build(int seed, int lines)
    {
        var random = new Random(seed);
        var texts = new List<string>(TokenizerReference.Cases.Select(c => c.Text));
        for (var l = 0; l < lines; l++)
        {
            var n = random.Next(3, 20);
            var parts = new List<string>();
            for (var i = 0; i < n; i++)
            {
                parts.Add(Words[random.Next(Words.Length)]);
                parts.Add(Separators[random.Next(Separators.Length)]);
            }
            texts.Add(string.Concat(parts));
        }
        return texts;
    }
}
