using Llama.Pretraining.Data;
using static Llama.Pretraining.Tests.Data.SamplerData;

namespace Llama.Pretraining.Tests.Data;

public class DomainMixingTests
{
    private static Dictionary<string, double> AchievedShares(PackedBatchSampler sampler, int batches, int batchSize = 8, int sequenceLength = 64)
    {
        var tokens = new Dictionary<string, long>();
        for (int i = 0; i < batches; i++)
            foreach (var (domain, count) in sampler.NextBatch(batchSize, sequenceLength).TokensByDomain)
                tokens[domain] = tokens.GetValueOrDefault(domain) + count;
        double total = tokens.Values.Sum();
        return tokens.ToDictionary(t => t.Key, t => t.Value / total);
    }

    [Fact]
    public void Token_shares_converge_to_the_mix_despite_different_document_lengths()
    {
        var sampler = new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed: 11);
        var achieved = AchievedShares(sampler, batches: 1500); // ~770k tokens
        foreach (var (domain, weight) in DomainMix.Llama3.Weights)
            Assert.True(Math.Abs(achieved[domain] - weight) < 0.01, $"{domain}: achieved {achieved[domain]:0.000}, mix {weight}");
    }

    [Fact]
    public void Domains_absent_from_the_data_are_renormalised_away()
    {
        var split = TrainingOnly([.. Domain("general", 20, 10, 10_000), .. Domain("code", 10, 40, 100_000)]);
        var sampler = new PackedBatchSampler(split, DomainMix.Llama3, seed: 2);

        Assert.Equal(0.50 / 0.67, sampler.TargetShares["general"], precision: 12);
        Assert.Equal(0.17 / 0.67, sampler.TargetShares["code"], precision: 12);
        var achieved = AchievedShares(sampler, batches: 300);
        Assert.True(Math.Abs(achieved["general"] - 0.50 / 0.67) < 0.02, $"general: achieved {achieved["general"]:0.000}");
    }

    [Fact]
    public void A_new_mix_takes_effect_from_the_next_document()
    {
        var sampler = new PackedBatchSampler(FourDomains(), new DomainMix(new Dictionary<string, double> { ["general"] = 1 }), seed: 4);
        for (int i = 0; i < 10; i++)
            Assert.Equal(["general"], sampler.NextBatch(4, 64).TokensByDomain.Keys);

        sampler.Mix = new DomainMix(new Dictionary<string, double> { ["math"] = 3, ["code"] = 1 });
        sampler.NextBatch(4, 64); // finishes the general document in progress (bodies are under 64 tokens)
        var achieved = AchievedShares(sampler, batches: 300, batchSize: 4);
        Assert.DoesNotContain("general", achieved.Keys);
        Assert.True(Math.Abs(achieved["math"] - 0.75) < 0.03, $"math: achieved {achieved["math"]:0.000}");
    }

    [Fact]
    public void A_mix_without_weight_on_any_domain_of_the_data_is_refused()
    {
        var sampler = new PackedBatchSampler(FourDomains(), DomainMix.Llama3, seed: 1);
        var error = Assert.Throws<ArgumentException>(() => sampler.Mix = new DomainMix(new Dictionary<string, double> { ["legal"] = 1 }));
        Assert.Contains("legal", error.Message);
        Assert.Contains("general", error.Message);
    }

    [Fact]
    public void Each_epoch_visits_every_document_of_a_domain_once_in_a_new_order()
    {
        const int Count = 12;
        var sampler = new PackedBatchSampler(TrainingOnly(Domain("general", Count, 6, 10_000)), DomainMix.Llama3, seed: 9);
        var order = new List<long>();
        while (order.Count < 2 * Count)
        {
            var batch = sampler.NextBatch(1, 16);
            // Every token is an input exactly once; the target of a BOS is the first body token, unique to its document.
            for (int i = 0; i < batch.InputIds.Length; i++)
                if (batch.InputIds[i] == Bos) order.Add(batch.Targets[i]);
        }
        var first = order.Take(Count).ToArray();
        var second = order.Skip(Count).Take(Count).ToArray();
        var all = Enumerable.Range(0, Count).Select(i => 10_000L + i * 1000).ToArray();
        Assert.Equal(all, first.Order());
        Assert.Equal(all, second.Order());
        Assert.NotEqual(first, second);
    }
}
