using Llama.Core.Generation;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Generation;

public class TokenSamplerTests
{
    private static Tensor LogitsOf(params double[] probabilities) =>
        tensor(probabilities.Select(p => (float)Math.Log(p)).ToArray()).unsqueeze(0);

    private static int[] Draw(SamplingOptions options, Tensor logits, int count)
    {
        using var sampler = new TokenSampler(options, CPU);
        return Enumerable.Range(0, count).Select(_ => (int)sampler.Sample(logits)[0]).ToArray();
    }

    [Fact]
    public void Greedy_takes_the_most_likely_token_of_each_row()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[,] { { 0.1f, 3f, -1f }, { 5f, 0f, 4.9f } });
        using var sampler = new TokenSampler(SamplingOptions.Greedy, CPU);
        Assert.Equal(new long[] { 1, 0 }, sampler.Sample(logits));
    }

    [Fact]
    public void Top_k_samples_only_among_the_k_most_likely()
    {
        using var scope = NewDisposeScope();
        var draws = Draw(new SamplingOptions { Temperature = 1, TopK = 2, TopP = 1, Seed = 3 }, LogitsOf(0.1, 0.4, 0.2, 0.3), 500);
        Assert.All(draws, d => Assert.Contains(d, new[] { 1, 3 }));
        Assert.Contains(1, draws);
        Assert.Contains(3, draws);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_reaching_p_and_renormalises()
    {
        using var scope = NewDisposeScope();
        // Sorted: 0.5, 0.3, 0.15, 0.05. With p = 0.7 the first two reach it: renormalised 0.625 / 0.375.
        var draws = Draw(new SamplingOptions { Temperature = 1, TopP = 0.7, Seed = 11 }, LogitsOf(0.15, 0.5, 0.05, 0.3), 4000);
        Assert.All(draws, d => Assert.Contains(d, new[] { 1, 3 }));
        double share = draws.Count(d => d == 1) / 4000.0;
        Assert.InRange(share, 0.625 - 0.03, 0.625 + 0.03);
    }

    [Fact]
    public void Temperature_sampling_follows_the_softmax_distribution()
    {
        using var scope = NewDisposeScope();
        var draws = Draw(new SamplingOptions { Temperature = 1, TopP = 1, Seed = 5 }, LogitsOf(0.2, 0.8), 4000);
        Assert.InRange(draws.Count(d => d == 1) / 4000.0, 0.77, 0.83);
        // A temperature of 0.5 squares the odds: 0.8^2 / (0.8^2 + 0.2^2) = 0.941.
        var cold = Draw(new SamplingOptions { Temperature = 0.5, TopP = 1, Seed = 5 }, LogitsOf(0.2, 0.8), 4000);
        Assert.InRange(cold.Count(d => d == 1) / 4000.0, 0.92, 0.96);
    }

    [Fact]
    public void The_same_seed_gives_the_same_tokens_and_another_seed_does_not()
    {
        using var scope = NewDisposeScope();
        var logits = LogitsOf(Enumerable.Repeat(1.0 / 50, 50).ToArray());
        var options = new SamplingOptions { Temperature = 1, TopP = 1, Seed = 42 };
        Assert.Equal(Draw(options, logits, 40), Draw(options, logits, 40));
        Assert.NotEqual(Draw(options, logits, 40), Draw(options with { Seed = 43 }, logits, 40));
    }

    [Theory]
    [InlineData(-1.0, 0, 0.9)]
    [InlineData(1.0, -1, 0.9)]
    [InlineData(1.0, 0, 0.0)]
    [InlineData(1.0, 0, 1.5)]
    public void Invalid_options_are_rejected(double temperature, int topK, double topP)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP }.Validate());
    }
}
