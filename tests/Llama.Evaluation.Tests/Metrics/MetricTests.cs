using Llama.Evaluation.Metrics;

namespace Llama.Evaluation.Tests.Metrics;

public sealed class MetricTests
{
    [Fact]
    public void Acc_norm_divides_by_length_in_characters_and_can_disagree_with_acc()
    {
        // lls -6 for "a" (1 char: -6/char) and -8 for "abcdefgh" (8 chars: -1/char): acc picks 0, acc_norm picks 1.
        var (acc, accNorm) = MultipleChoiceScoring.Score([-6.0, -8.0], ["a", "abcdefgh"], gold: 1);
        Assert.Equal(0, acc);
        Assert.Equal(1, accNorm);
    }

    [Fact]
    public void Characters_are_code_points_like_python_len()
    {
        Assert.Equal(7, MultipleChoiceScoring.CharacterCount("Yaoundé"));
        Assert.Equal(1, MultipleChoiceScoring.CharacterCount("😀")); // two UTF-16 units, one character
    }

    [Theory]
    [InlineData(10, 3, 1, 0.3)]
    [InlineData(10, 3, 5, 1 - 21.0 / 252.0)] // 1 - C(7,5)/C(10,5)
    [InlineData(10, 0, 3, 0.0)]
    [InlineData(5, 4, 2, 1.0)]               // n - c < k
    public void Pass_at_k_is_the_unbiased_estimator(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Perplexities_are_corpus_ratios()
    {
        // Two texts: ll -10 over 4 words / 20 bytes, ll -30 over 6 words / 30 bytes: totals -40, 10 words, 50 bytes.
        var items = new[] { new PerplexityItem(-10, 4, 20), new PerplexityItem(-30, 6, 30) };
        Assert.Equal(Math.Exp(4.0), PerplexityScoring.WordPerplexity(items), 10);
        Assert.Equal(Math.Exp(0.8), PerplexityScoring.BytePerplexity(items), 10);
        Assert.Equal(0.8 / Math.Log(2), PerplexityScoring.BitsPerByte(items), 10);
    }

    [Fact]
    public void Words_and_bytes_are_counted_as_the_harness_does()
    {
        var item = PerplexityItem.Of("naïve  text\nhere", -1);
        Assert.Equal(3, item.Words);
        Assert.Equal(17, item.Bytes); // ï is two bytes in UTF-8
    }

    [Fact]
    public void Bootstrap_error_of_a_mean_is_close_to_the_closed_form()
    {
        // 100 Bernoulli scores with p = 0.3: sd/sqrt(n) = sqrt(0.3 * 0.7 / 99 * 100 / 100) ~ 0.046.
        var scores = Enumerable.Range(0, 100).Select(i => i % 10 < 3 ? 1.0 : 0.0).ToList();
        var (value, se) = BootstrapStandardError.Mean(scores);
        double closedForm = Math.Sqrt(scores.Sum(s => (s - 0.3) * (s - 0.3)) / 99) / 10;
        Assert.Equal(0.3, value, 12);
        Assert.InRange(se!.Value, closedForm * 0.85, closedForm * 1.15);
    }

    [Theory]
    [InlineData("so the answer is #### 1,234.", "1234", true)]
    [InlineData("#### 17", "17.0", true)]
    [InlineData("#### 18", "17", false)]
    [InlineData("no number", "17", false)]
    public void Numeric_match_after_regex_extraction(string generated, string target, bool expected)
    {
        var answer = AnswerMatching.Extract(generated, new System.Text.RegularExpressions.Regex(@"#### (\-?[0-9\.\,]+)"));
        Assert.Equal(expected, AnswerMatching.NumericMatch(answer, target));
    }
}
