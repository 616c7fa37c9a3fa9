using System.Text.Json.Serialization;
using Llama.Core.Tokenization;
using Parquet.Serialization;

namespace Llama.Pretraining.Tests.Training;

/// <summary>
/// A small curated folder as the curation stage writes it (tokens/ shards and tokenizer/), from real English
/// sentences tokenized with a BPE trained on them: enough for a smoke model to learn something in a few dozen steps.
/// </summary>
internal sealed class TrainingData : IDisposable
{
    private static readonly string[] Sentences =
    [
        "The tokenizer splits the text into pieces and the model learns to predict the next piece.",
        "A small model trained for a few steps can still learn which words follow which.",
        "Every document starts with the beginning of text and ends with the end of text.",
        "Attention lets each position look back at the earlier positions of its own document.",
        "The learning rate rises during warm-up, then decays along a cosine curve to a floor.",
        "At the end of training the learning rate falls to zero while the data mix changes.",
    ];

    public string Root { get; } = Directory.CreateTempSubdirectory("llama-pt-train-").FullName;
    public Llama3Tokenizer Tokenizer { get; }

    public TrainingData(int documents = 60, int? badTokenId = null)
    {
        var random = new Random(7);
        var texts = Enumerable.Range(0, documents)
            .Select(_ => string.Join(" ", Enumerable.Range(0, 6).Select(_ => Sentences[random.Next(Sentences.Length)])))
            .ToList();
        Tokenizer = BpeTrainer.TrainFromTexts(texts, new BpeTrainerOptions(300));
        Tokenizer.Save(Path.Combine(Root, "tokenizer"));
        var rows = texts.Select((text, i) =>
        {
            var ids = Tokenizer.Encode(text, bos: true, eos: true).ToArray();
            if (badTokenId is { } bad && i == 3) ids[5] = bad;
            return new Row { Id = $"doc-{i:000}", Source = "test", Domain = "general", Lang = "en", NumTokens = ids.Length, Tokens = ids };
        }).ToArray();
        Directory.CreateDirectory(Path.Combine(Root, "tokens"));
        using var stream = File.Create(Path.Combine(Root, "tokens", "part-00000.parquet"));
        ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private sealed class Row
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("source")] public string Source { get; set; } = "";
        [JsonPropertyName("domain")] public string Domain { get; set; } = "";
        [JsonPropertyName("lang")] public string Lang { get; set; } = "";
        [JsonPropertyName("num_tokens")] public int NumTokens { get; set; }
        [JsonPropertyName("tokens")] public int[] Tokens { get; set; } = [];
    }
}
