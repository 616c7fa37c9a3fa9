using Llama.Core;
using Llama.Core.Checkpoints;
using Llama.Evaluation.Requests;
using static TorchSharp.torch;

namespace Llama.Evaluation.Tests.Requests;

/// <summary>
/// The harness's numbers against log-likelihoods computed here by hand from Hugging Face's own logits
/// (fixtures/hf-llama3-tiny/reference.safetensors), not from our model: log_softmax of the reference logits,
/// gathered at the continuation tokens and summed.
/// </summary>
public sealed class ReferenceLoglikelihoodTests : IDisposable
{
    private readonly Tensor _ids;     // [2, 24]
    private readonly Tensor _logits;  // [2, 24, 512]
    private readonly Core.Model.LlamaModel _model = LlamaDirectory.Load(Fixtures.HfTiny);

    public ReferenceLoglikelihoodTests()
    {
        using var reader = SafetensorsReader.Open(Path.Combine(Fixtures.HfTiny, "reference.safetensors"));
        _ids = reader.ReadTensor("input_ids");
        _logits = reader.ReadTensor("logits");
    }

    private int[] Row(int b) => _ids[b].data<long>().Select(x => (int)x).ToArray();

    /// <summary>Sum over continuation positions t of log_softmax(reference logits at t-1)[token t].</summary>
    private (double LogLikelihood, bool Greedy) HandComputed(int row, int start, int end)
    {
        double sum = 0;
        bool greedy = true;
        var ids = Row(row);
        using var logProbs = nn.functional.log_softmax(_logits[row].to(ScalarType.Float64), -1);
        for (int t = start; t < end; t++)
        {
            sum += logProbs[t - 1, ids[t]].item<double>();
            greedy &= logProbs[t - 1].argmax().item<long>() == ids[t];
        }
        return (sum, greedy);
    }

    [Fact]
    public void Batched_loglikelihood_matches_hand_computed_values_from_reference_logits()
    {
        var a = Row(0);
        var b = Row(1);
        // Different lengths in one batch: the shorter inputs are padded, which must not change their scores.
        var requests = new[]
        {
            new LoglikelihoodRequest(a[..10], a[10..]),
            new LoglikelihoodRequest(b[..5], b[5..12]),
            new LoglikelihoodRequest(a[..1], a[1..]),
            new LoglikelihoodRequest(b[..23], b[23..]),
        };
        var expected = new[] { HandComputed(0, 10, 24), HandComputed(1, 5, 12), HandComputed(0, 1, 24), HandComputed(1, 23, 24) };

        var results = new LoglikelihoodScorer(_model, maxLength: 64, batchSize: 4).Score(requests);

        for (int i = 0; i < requests.Length; i++)
        {
            Assert.True(Math.Abs(expected[i].LogLikelihood - results[i].LogLikelihood) < 2e-3,
                $"request {i}: harness {results[i].LogLikelihood:R}, hand-computed {expected[i].LogLikelihood:R}");
            Assert.Equal(expected[i].Greedy, results[i].IsGreedy);
        }
    }

    [Fact]
    public void Batch_size_does_not_change_scores()
    {
        var a = Row(0);
        var requests = Enumerable.Range(2, 20).Select(k => new LoglikelihoodRequest(a[..k], a[k..Math.Min(24, k + 3)])).ToArray();
        var one = new LoglikelihoodScorer(_model, 64, 1).Score(requests);
        var many = new LoglikelihoodScorer(_model, 64, 7).Score(requests);
        for (int i = 0; i < requests.Length; i++) Assert.Equal(one[i].LogLikelihood, many[i].LogLikelihood, 4);
    }

    [Fact]
    public void Rolling_loglikelihood_in_one_window_is_the_reference_sum_after_the_prefix_token()
    {
        // The reference row starts with token ids[0]; as the prefix token, every later token is predicted from the full left context.
        var a = Row(0);
        var windows = RollingWindows.Split(a[1..], prefixToken: a[0], maxLength: 64);
        Assert.Single(windows);
        double rolling = new LoglikelihoodScorer(_model, 64, 4).Score(windows).Sum(r => r.LogLikelihood);
        Assert.True(Math.Abs(HandComputed(0, 1, 24).LogLikelihood - rolling) < 2e-3);
    }

    [Fact]
    public void Truncation_keeps_the_right_end_of_context_and_continuation()
    {
        // With a window of 8, the last 8 input tokens are fed: ids[15..23) predicting ids[16..24). The reference
        // logits saw the whole row, so only the structure is checked here: the input the scorer builds.
        var a = Row(0);
        var scorer = new LoglikelihoodScorer(_model, 8, 1);
        Assert.Equal(a[15..23], scorer.InputOf(new LoglikelihoodRequest(a[..20], a[20..])));
    }

    public void Dispose()
    {
        _ids.Dispose();
        _logits.Dispose();
        _model.Dispose();
    }
}
