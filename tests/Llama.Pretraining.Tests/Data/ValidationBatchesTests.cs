using Llama.Pretraining.Data;
using static Llama.Pretraining.Tests.Data.SamplerData;

namespace Llama.Pretraining.Tests.Data;

public class ValidationBatchesTests
{
    private static readonly TokenDocument[] Held = [Document("v1", "general", 100, 3), Document("v2", "code", 200, 1), Document("v3", "math", 300, 6)];

    private static PackedBatchSampler Sampler() =>
        new(new TokenDataSplit([.. Domain("general", 10, 8, 10_000)], Held), DomainMix.Llama3, seed: 1);

    [Fact]
    public void Validation_documents_are_packed_in_order_and_the_last_row_is_padded()
    {
        // Stream: BOS 100 101 102 EOS | BOS 200 EOS | BOS 300..305 EOS (16 tokens); rows of T = 6 start every 6.
        var batches = Sampler().ValidationBatches(batchSize: 2, sequenceLength: 6, maxBatches: 10);
        const long X = Batch.IgnoreIndex;

        Assert.Equal([2, 1], batches.Select(b => b.BatchSize));
        Assert.Equal(new long[] { Bos, 100, 101, 102, Eos, Bos, /**/ 200, Eos, Bos, 300, 301, 302 }, batches[0].InputIds);
        Assert.Equal(new long[] { 100, 101, 102, Eos, X, 200, /**/ Eos, X, 300, 301, 302, 303 }, batches[0].Targets);
        Assert.Equal(new long[] { 0, 0, 0, 0, 0, 1, /**/ 0, 0, 1, 1, 1, 1 }, batches[0].DocumentIds);
        // The last row runs out after four tokens: padding with ignored targets, in a document of its own.
        Assert.Equal(new long[] { 303, 304, 305, Eos, 0, 0 }, batches[1].InputIds);
        Assert.Equal(new long[] { 304, 305, Eos, X, X, X }, batches[1].Targets);
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 1 }, batches[1].DocumentIds);
        Assert.Equal(new long[] { 0, 1, 2, 3, 0, 1 }, batches[1].Positions);
        // Each validation token but a document's first is predicted exactly once: (5-1) + (3-1) + (8-1).
        Assert.Equal(13, batches.Sum(b => b.PredictedTokens));
    }

    [Fact]
    public void Validation_batches_are_the_same_on_every_call_whatever_training_did()
    {
        var sampler = Sampler();
        var before = sampler.ValidationBatches(2, 3, maxBatches: 2); // 5 rows of 3 in the stream: 3 batches, 2 kept
        sampler.NextBatch(4, 16);
        var after = sampler.ValidationBatches(2, 3, maxBatches: 2);

        Assert.Equal(2, before.Count);
        Assert.Equal(before.Select(b => b.InputIds), after.Select(b => b.InputIds));
        Assert.Equal(before.Select(b => b.Targets), after.Select(b => b.Targets));
    }

    [Fact]
    public void Training_batches_never_contain_validation_documents()
    {
        var sampler = Sampler();
        var validationTokens = Held.SelectMany(d => d.Tokens.Skip(1).SkipLast(1)).Select(t => (long)t).ToHashSet();
        for (int i = 0; i < 50; i++)
            Assert.DoesNotContain(sampler.NextBatch(4, 16).InputIds, validationTokens.Contains);
    }
}
