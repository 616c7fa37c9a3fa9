using System.Text.Json.Serialization;
using Llama.Alignment.Data;
using Llama.Alignment.Sft;
using Llama.Alignment.Tests.EndToEnd;
using Llama.Alignment.Training;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using Parquet.Serialization;
using static TorchSharp.torch;

namespace Llama.Alignment.Tests.Sft;

public sealed class PretrainingTextTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("llama-sft-text-").FullName;

    [Fact]
    public void Rows_train_on_every_token_except_where_a_document_starts()
    {
        WriteShard("part-00000.parquet", [[1, 5, 6, 7, 2], [1, 8, 9, 2]]);
        var text = PretrainingText.Load(_folder, vocabularySize: 10, maxTokens: 100, seed: 0);
        Assert.Equal(9, text.Tokens);

        var row = text.Row(new Random(0), 9);
        Assert.Equal([1, 5, 6, 7, 2, 1, 8, 9, 2], row.Ids);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], row.DocumentIds);
        Assert.Equal([false, true, true, true, true, false, true, true, true], row.Targets);

        // Longer than the text: padded, pads are no targets and belong to no document.
        var padded = text.Row(new Random(0), 12);
        Assert.Equal([-1, -1, -1], padded.DocumentIds[9..]);
        Assert.Equal([false, false, false], padded.Targets[9..]);

        // The curation stage's output folder is taken for its tokens/ folder.
        var curated = Directory.CreateDirectory(Path.Combine(_folder, "curated", "tokens")).FullName;
        File.Copy(Path.Combine(_folder, "part-00000.parquet"), Path.Combine(curated, "part-00000.parquet"));
        Assert.Equal(9, PretrainingText.Load(Path.GetDirectoryName(curated)!, 10, 100, 0).Tokens);

        // A token budget stops reading part-way through a document.
        Assert.Equal(3, PretrainingText.Load(_folder, 10, maxTokens: 3, seed: 0).Tokens);
    }

    [Fact]
    public async Task Foreign_ids_missing_folders_and_other_parquet_files_are_clear_errors()
    {
        WriteShard("part-00000.parquet", [[1, 5, 42, 2]]);
        Assert.Contains("outside the model's vocabulary of 10", Assert.Throws<ArgumentException>(() => PretrainingText.Load(_folder, 10, 100, 0)).Message);
        Assert.Contains("is not a folder", Assert.Throws<ArgumentException>(() => PretrainingText.Load(Path.Combine(_folder, "nope"), 10, 100, 0)).Message);

        var other = Directory.CreateDirectory(Path.Combine(_folder, "text")).FullName;
        await using (var stream = File.Create(Path.Combine(other, "part-00000.parquet")))
            await ParquetSerializer.SerializeAsync(new[] { new TextRow { Text = "hello" } }, stream);
        Assert.Contains("no 'tokens' column", Assert.Throws<ArgumentException>(() => PretrainingText.Load(other, 10, 100, 0)).Message);
        Assert.Contains("no part-*.parquet", Assert.Throws<ArgumentException>(() => PretrainingText.Load(Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName, 10, 100, 0)).Message);
    }

    [Fact]
    public void Sft_with_pretraining_rows_keeps_the_text_that_sft_alone_forgets()
    {
        set_num_threads(1);
        var encoder = TinyChatModel.CreateEncoder();
        var tokenizer = encoder.Tokenizer;
        var sentences = new[] { "The model repeats what the user says.", "The user says none.", "Repeat: the system says none." };
        WriteShard("part-00000.parquet", Enumerable.Range(0, 60).Select(i => tokenizer.Encode(sentences[i % 3], bos: true, eos: true).ToArray()).ToList());
        var chat = Enumerable.Range(0, 40).Select(i => new ChatExample($"c{i}", "copy",
            [new ChatMessage("user", $"Repeat: {i * 37 % 1000}"), new ChatMessage("assistant", $"{i * 37 % 1000}")])).ToList();
        var training = new TrainingOptions { LearningRate = 3e-3, Steps = 40, WarmupSteps = 2, BatchSize = 4 };
        var text = PretrainingText.Load(_folder, tokenizer.VocabSize, 10_000, 0);

        double TextLossAfter(SftOptions options)
        {
            using var model = new LlamaModel(TinyChatModel.CreateConfig(tokenizer));
            model.InitializeWeights(seed: 3);
            SftTrainer.Train(model, encoder, chat, options);
            return TextLoss(model, text);
        }

        double chatOnly = TextLossAfter(new SftOptions { RowLength = 48, Training = training });
        double mixed = TextLossAfter(new SftOptions { RowLength = 48, Training = training, PretrainingTokens = _folder });
        Assert.True(mixed < chatOnly / 2, $"text loss after SFT with pretraining rows {mixed:0.000}, without {chatOnly:0.000}");
    }

    private static double TextLoss(LlamaModel model, PretrainingText text)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var random = new Random(9);
        var rows = Enumerable.Range(0, 8).Select(_ => text.Row(random, 48)).ToList();
        var ids = tensor(rows.SelectMany(r => r.Ids.Select(i => (long)i)).ToArray(), [rows.Count, 48]);
        var documents = tensor(rows.SelectMany(r => r.DocumentIds.Select(i => (long)i)).ToArray(), [rows.Count, 48]);
        var targets = tensor(rows.SelectMany(r => r.Targets).ToArray(), [rows.Count, 48]);
        var logits = model.Forward(ids, positions: AttentionMasks.PositionsWithinDocuments(documents), documentIds: documents);
        return SftLoss.Compute(logits, ids, targets).item<float>();
    }

    private void WriteShard(string name, IReadOnlyList<int[]> documents) => TokenShardFile.Write(Path.Combine(_folder, name), documents);

    private sealed class TextRow
    {
        [JsonPropertyName("text")] public string Text { get; set; } = "";
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
