using System.Text.Json;
using Llama.Pretraining.Data;
using static Llama.Pretraining.Tests.Data.SamplerData;

namespace Llama.Pretraining.Tests.Data;

public class SamplerStateTests
{
    private static void AssertSameBatch(Batch expected, Batch actual)
    {
        Assert.Equal(expected.InputIds, actual.InputIds);
        Assert.Equal(expected.Targets, actual.Targets);
        Assert.Equal(expected.DocumentIds, actual.DocumentIds);
        Assert.Equal(expected.Positions, actual.Positions);
        Assert.Equal((expected.BatchSize, expected.SequenceLength), (actual.BatchSize, actual.SequenceLength));
        Assert.Equal(expected.TokensByDomain.OrderBy(t => t.Key), actual.TokensByDomain.OrderBy(t => t.Key));
    }

    private static SamplerState ThroughJson(SamplerState state) =>
        JsonSerializer.Deserialize<SamplerState>(JsonSerializer.Serialize(state))!;

    [Fact]
    public void A_restored_sampler_continues_with_identical_batches()
    {
        var sampler = new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed: 42);
        for (int i = 0; i < 7; i++) sampler.NextBatch(3, 37); // 37: rows end mid-document
        var state = ThroughJson(sampler.GetState());
        var expected = Enumerable.Range(0, 5).Select(i => sampler.NextBatch(2 + i % 2, 29 + 10 * i)).ToArray();

        var restored = new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed: 42);
        restored.RestoreState(state);
        for (int i = 0; i < 5; i++) AssertSameBatch(expected[i], restored.NextBatch(2 + i % 2, 29 + 10 * i));
    }

    [Fact]
    public void Restoring_brings_back_the_mix_seed_and_epochs()
    {
        var sampler = new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed: 8);
        for (int i = 0; i < 60; i++) sampler.NextBatch(4, 64); // past the first epoch of every domain
        sampler.Mix = new DomainMix(new Dictionary<string, double> { ["code"] = 0.7, ["math"] = 0.3 });
        sampler.NextBatch(2, 50);
        var state = ThroughJson(sampler.GetState());
        Assert.Contains(state.Domains, d => d.Epoch > 0);
        var expected = Enumerable.Range(0, 5).Select(_ => sampler.NextBatch(4, 64)).ToArray();

        var restored = new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed: 12345);
        restored.RestoreState(state);
        Assert.Equal(0.7, restored.Mix.Weights["code"]);
        foreach (var batch in expected) AssertSameBatch(batch, restored.NextBatch(4, 64));
    }

    [Fact]
    public void The_same_seed_gives_the_same_stream_and_another_seed_another()
    {
        Batch First(long seed) => new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed).NextBatch(4, 64);
        AssertSameBatch(First(3), First(3));
        Assert.NotEqual(First(3).InputIds, First(4).InputIds);
    }

    [Fact]
    public void A_state_from_other_data_is_refused()
    {
        var state = new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed: 1).GetState();
        var other = new PackedBatchSampler(TrainingOnly(Domain("general", 5, 10, 10_000)), DomainMix.Llama3, seed: 1);
        var error = Assert.Throws<ArgumentException>(() => other.RestoreState(state));
        Assert.Contains("other training data", error.Message);
    }
}
