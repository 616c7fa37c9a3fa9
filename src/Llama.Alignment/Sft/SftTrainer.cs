using Llama.Alignment.Data;
using Llama.Alignment.Training;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Alignment.Sft;

/// <summary>What an SFT run did; <paramref name="PretrainingText"/> says how much pretraining text it mixed in (null: none).</summary>
public sealed record SftResult(int Steps, int Rows, FitCounts Fit, double FirstLoss, double FinalLoss, string? PretrainingText = null);

/// <summary>Supervised fine-tuning on packed chat rows with the loss on assistant tokens only (all weights, or LoRA adapters merged at the end).</summary>
public static class SftTrainer
{
    public static SftResult Train(LlamaModel model, ChatEncoder encoder, IReadOnlyList<ChatExample> examples, SftOptions options,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        int rowLength = options.RowLength > 0 ? Math.Min(options.RowLength, model.Config.MaxPositionEmbeddings) : model.Config.MaxPositionEmbeddings;
        var (fitted, fit) = ContextFit.Conversations(examples.Select(encoder.Encode), rowLength, options.Overlong);
        if (fitted.Count == 0) throw new ChatDataException($"no SFT example fits a row of {rowLength} tokens ({fit})");
        var random = new Random(options.Training.Seed);
        var shuffled = fitted.ToArray();
        random.Shuffle(shuffled);
        var rows = SftPacker.Pack(shuffled, rowLength, encoder.Tokenizer.EotId);
        var text = options.PretrainingTokens is { } folder
            ? PretrainingText.Load(folder, model.Config.VocabSize, options.PretrainingMaxTokens, options.Training.Seed) : null;

        int cursor = rows.Count;
        var (first, last) = options.Lora.Around(model, options.Training.Seed, () => TrainingLoop.Run(model, options.Training, "sft", _ =>
        {
            var batch = new List<PackedRow>();
            while (batch.Count < Math.Min(options.Training.BatchSize, rows.Count))
            {
                if (cursor == rows.Count) { random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows)); cursor = 0; }
                batch.Add(rows[cursor++]);
            }
            int chatRows = batch.Count;
            if (text is not null)
                for (int i = 0; i < options.PretrainingRowsPerBatch; i++) batch.Add(text.Row(random, rowLength));
            var ids = Stack(batch.Select(r => r.Ids), ScalarType.Int64, model.Device);
            var documents = Stack(batch.Select(r => r.DocumentIds), ScalarType.Int64, model.Device);
            var targets = tensor(batch.SelectMany(r => r.Targets).ToArray(), [batch.Count, rowLength], ScalarType.Bool, model.Device);
            var positions = AttentionMasks.PositionsWithinDocuments(documents);
            var logits = model.Forward(ids, positions: positions, documentIds: documents);
            var chatLoss = SftLoss.Compute(logits.narrow(0, 0, chatRows), ids.narrow(0, 0, chatRows), targets.narrow(0, 0, chatRows));
            if (text is null) return (chatLoss, null);
            // Each part is its own token mean, so a long text row does not outweigh a row of short answers.
            int textRows = batch.Count - chatRows;
            var textLoss = SftLoss.Compute(logits.narrow(0, chatRows, textRows), ids.narrow(0, chatRows, textRows), targets.narrow(0, chatRows, textRows));
            return (chatLoss + textLoss, new Dictionary<string, double> { ["chat_loss"] = chatLoss.item<float>(), ["pretraining_loss"] = textLoss.item<float>() });
        }, progress, cancellation));
        return new SftResult(options.Training.Steps, rows.Count, fit, first, last,
            text is null ? null : $"{options.PretrainingRowsPerBatch} row(s) per batch from {text.Tokens:N0} tokens of {text.Folder}");
    }

    private static Tensor Stack(IEnumerable<int[]> rows, ScalarType dtype, Device device)
    {
        var list = rows.ToList();
        return tensor(list.SelectMany(r => r.Select(v => (long)v)).ToArray(), [list.Count, list[0].Length], dtype, device);
    }
}
