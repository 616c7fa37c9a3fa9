using Llama.Core.Model;
using Llama.Pretraining.Data;
using static Llama.Pretraining.Tests.Data.SamplerData;
using static TorchSharp.torch;

namespace Llama.Pretraining.Tests.Data;

public class SequencePackingTests
{
    private const long Ignored = Batch.IgnoreIndex;

    [Fact]
    public void Targets_are_shifted_inputs_masked_across_documents_with_ids_and_positions_restarting()
    {
        // One document [BOS 10 11 12 EOS] repeated: row 0 holds it whole, row 1 starts at its EOS (the overlap
        // token), then the next copy begins.
        var sampler = new PackedBatchSampler(TrainingOnly([Document("d", "general", 10, 3)]), DomainMix.Llama3, seed: 1);
        var batch = sampler.NextBatch(batchSize: 2, sequenceLength: 4);

        Assert.Equal(new long[] { Bos, 10, 11, 12, /**/ Eos, Bos, 10, 11 }, batch.InputIds);
        Assert.Equal(new long[] { 10, 11, 12, Eos, /**/ Ignored, 10, 11, 12 }, batch.Targets);
        Assert.Equal(new long[] { 0, 0, 0, 0, /**/ 0, 1, 1, 1 }, batch.DocumentIds);
        Assert.Equal(new long[] { 0, 1, 2, 3, /**/ 0, 0, 1, 2 }, batch.Positions);
        Assert.Equal((2, 4, 7), (batch.BatchSize, batch.SequenceLength, batch.PredictedTokens));
        Assert.Equal(8, batch.TokensByDomain["general"]);
    }

    [Fact]
    public void A_long_document_continues_across_rows_batches_and_shape_changes()
    {
        // A 23-token document repeated forever: whatever the shapes, rows walk the stream T tokens at a time.
        var document = Document("long", "general", 10, 21);
        var sampler = new PackedBatchSampler(TrainingOnly([document]), DomainMix.Llama3, seed: 3);
        long Stream(long i) => document.Tokens[i % document.Tokens.Length];

        long start = 0;
        foreach (var (b, t) in new[] { (2, 8), (1, 5), (3, 3), (1, 30) })
        {
            var batch = sampler.NextBatch(b, t);
            for (int row = 0; row < b; row++, start += t)
            {
                for (int i = 0; i < t; i++)
                {
                    int at = row * t + i;
                    long j = start + i;
                    Assert.Equal(Stream(j), batch.InputIds[at]);
                    bool nextStartsDocument = (j + 1) % document.Tokens.Length == 0;
                    Assert.Equal(nextStartsDocument ? Ignored : Stream(j + 1), batch.Targets[at]);
                    bool startsDocument = i == 0 || j % document.Tokens.Length == 0;
                    long expectedPosition = startsDocument ? 0 : batch.Positions[at - 1] + 1;
                    Assert.Equal(expectedPosition, batch.Positions[at]);
                }
            }
        }
    }

    [Fact]
    public void Positions_agree_with_the_models_derivation_from_document_ids()
    {
        var sampler = new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed: 5);
        for (int step = 0; step < 5; step++)
        {
            var batch = sampler.NextBatch(4, 32);
            using var scope = NewDisposeScope();
            var (inputIds, targets, documentIds, positions) = batch.ToTensors(CPU);
            Assert.Equal(new long[] { 4, 32 }, inputIds.shape);
            Assert.Equal(ScalarType.Int64, targets.dtype);
            Assert.Equal(batch.Positions, AttentionMasks.PositionsWithinDocuments(documentIds).data<long>().ToArray());
            Assert.Equal(batch.Positions, positions.data<long>().ToArray());
            // Every masked target sits at the last token of a document (EOS), and every EOS target is masked.
            for (int i = 0; i < batch.Targets.Length; i++)
                Assert.Equal(batch.InputIds[i] == Eos, batch.Targets[i] == Ignored);
        }
    }

    [Fact]
    public void The_model_consumes_batch_tensors_with_the_document_mask()
    {
        var sampler = new PackedBatchSampler(TrainingOnly([Document("a", "general", 2, 5), Document("b", "general", 20, 9)]), DomainMix.Llama3, seed: 7);
        var batch = sampler.NextBatch(2, 12);
        using var scope = NewDisposeScope();
        using var model = new LlamaModel(new Llama.Core.Config.LlamaConfig
        {
            VocabSize = 32, HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 1,
        });
        model.InitializeWeights(seed: 1);
        var (inputIds, targets, documentIds, positions) = batch.ToTensors(CPU);

        var logits = model.Forward(inputIds, positions: positions, documentIds: documentIds);
        var loss = nn.functional.cross_entropy(logits.view(-1, 32), targets.view(-1), ignore_index: Batch.IgnoreIndex);

        Assert.Equal(new long[] { 2, 12, 32 }, logits.shape);
        Assert.True(double.IsFinite(loss.item<float>()));
    }
}
