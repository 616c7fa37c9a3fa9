using Llama.Alignment.Dpo;
using Llama.Alignment.Evaluation;

namespace Llama.Alignment.Tests.Metrics;

public class SignTestTests
{
    // References: scipy.stats.binomtest(k, n, 0.5).pvalue (two-sided); for p = 1/2 it is 2·P(X <= min(k, n-k)), capped at 1.
    [Theory]
    [InlineData(1, 9, 0.021484375)]       // 2 · (1 + 10) / 1024
    [InlineData(9, 1, 0.021484375)]
    [InlineData(5, 5, 1.0)]
    [InlineData(0, 0, 1.0)]
    [InlineData(0, 6, 0.03125)]           // 2 / 64
    [InlineData(40, 18, 0.0053548597)]    // binomtest(40, 58)
    public void Matches_the_exact_binomial_test(int gained, int lost, double expected) =>
        Assert.Equal(expected, SignTest.TwoSidedP(gained, lost), 8);

    [Fact]
    public void Does_not_underflow_for_many_pairs() =>
        Assert.InRange(SignTest.TwoSidedP(600, 400), 1e-12, 1e-8); // binomtest(600, 1000): 2.7e-10

    [Fact]
    public void Compare_counts_the_pairs_whose_ranking_flipped_against_the_reference()
    {
        // Whole-reply log-probs (chosen, rejected) per pair: the reference ranks pairs 0 and 1 right, the model 1 and 2.
        var reference = Scores([-1, -2, -3, -1], [-2, -3, -1, -1]);
        var model = Scores([-3, -1, -1, -2], [-2, -3, -2, -1]);

        var metrics = DpoTrainer.Compare(model, reference, 0.1);

        Assert.Equal(1, metrics.RankingsGained); // pair 2
        Assert.Equal(1, metrics.RankingsLost);   // pair 0; pair 3 is a tie for the reference and wrong for the model
        Assert.Equal(0.5, metrics.LogProbAccuracy);
    }

    private static PreferenceScores Scores(float[] chosen, float[] rejected) =>
        new([.. chosen.Select(_ => "t")], new ReferenceLogProbs(chosen, rejected, chosen, rejected));
}
