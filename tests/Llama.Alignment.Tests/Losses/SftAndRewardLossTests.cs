using Llama.Alignment.RewardModel;
using Llama.Alignment.Sft;
using static TorchSharp.torch;

namespace Llama.Alignment.Tests.Losses;

public class SftAndRewardLossTests
{
    [Fact]
    public void Sft_loss_counts_only_target_tokens()
    {
        // Vocabulary of 3, ids (0, 1, 2); only token 2 is a target, scored from the logits at position 1 = (0, 0, ln 2):
        // softmax = (1/4, 1/4, 1/2), loss = −ln(1/2). Positions 0 and 2 carry logits that would change any unmasked loss.
        var logits = tensor(new float[] { 5f, -3f, 1f, 0f, 0f, MathF.Log(2f), 9f, 9f, -9f }, [1, 3, 3]);
        var ids = tensor(new long[] { 0, 1, 2 }, [1, 3]);
        var targets = tensor(new[] { false, false, true }, [1, 3]);
        Assert.Equal(Math.Log(2), SftLoss.Compute(logits, ids, targets).item<float>(), 1e-5);
    }

    [Fact]
    public void Sft_loss_averages_over_target_tokens_of_the_whole_batch()
    {
        // Two rows; row 0 has one target (−ln ½), row 1 two targets (uniform logits over 4: −ln ¼ each) → (ln 2 + 2 ln 4) / 3.
        var logits = zeros(2, 3, 4);
        logits[0, 0] = tensor(new float[] { 0f, 0f, 0f, 0f });
        logits[0, 1] = tensor(new float[] { float.NegativeInfinity, float.NegativeInfinity, 0f, 0f });
        var ids = tensor(new long[] { 0, 1, 2, 3, 1, 0 }, [2, 3]);
        var targets = tensor(new[] { false, false, true, false, true, true }, [2, 3]);
        Assert.Equal((Math.Log(2) + 2 * Math.Log(4)) / 3, SftLoss.Compute(logits, ids, targets).item<float>(), 1e-5);
    }

    [Fact]
    public void Bradley_terry_loss_matches_hand_computed_values()
    {
        // −log σ(1 − 0) = 0.313262, −log σ(0 − 2) = 2.126928; mean 1.220095. Llama 3 drops the margin term.
        var loss = BradleyTerryLoss.Compute(tensor(new float[] { 1f, 0f }), tensor(new float[] { 0f, 2f }));
        Assert.Equal(1.220095, loss.item<float>(), 1e-5);
    }
}
