using Llama.Pretraining.Data;

namespace Llama.Pretraining.Tests.Data;

public class UnigramBaselineTests
{
    private static TokenDocument Doc(params int[] tokens) => new("d", "general", "test", "en", "memory", 0, tokens);

    [Fact]
    public void Cross_entropy_on_a_tiny_distribution_matches_the_hand_computed_value()
    {
        // Vocabulary {0 BOS, 1 EOS, 2, 3}. Training predicts 2, 2, 3, 1 (BOS is never a target): counts 0,1,2,1 of
        // 4; add-one gives p = 1/8, 2/8, 3/8, 2/8. Validation predicts 2, 3, 1.
        var baseline = UnigramBaseline.Fit([Doc(0, 2, 2, 3, 1)], vocabSize: 4);
        double expected = -(Math.Log(3.0 / 8) + Math.Log(2.0 / 8) + Math.Log(2.0 / 8)) / 3;

        Assert.Equal(4, baseline.TrainingTokens);
        Assert.Equal(1.0 / 8, baseline.Probability(0), precision: 12);
        Assert.Equal(expected, baseline.CrossEntropy([Doc(0, 2, 3, 1)]), precision: 12);
    }

    [Fact]
    public void Smoothing_gives_unseen_tokens_a_finite_cost_that_shrinks_with_k()
    {
        var add1 = UnigramBaseline.Fit([Doc(0, 2, 1)], vocabSize: 4, smoothing: 1);
        var add01 = UnigramBaseline.Fit([Doc(0, 2, 1)], vocabSize: 4, smoothing: 0.1);

        Assert.Equal(Math.Log(6.0), add1.CrossEntropy([Doc(0, 3)]), precision: 12);   // (0 + 1) / (2 + 4)
        Assert.Equal(Math.Log(2.4 / 0.1), add01.CrossEntropy([Doc(0, 3)]), precision: 12);
    }
}
