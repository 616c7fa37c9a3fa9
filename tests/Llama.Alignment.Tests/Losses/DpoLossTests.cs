using Llama.Alignment.Dpo;
using static TorchSharp.torch;

namespace Llama.Alignment.Tests.Losses;

/// <summary>
/// One pair, hand-computed. Reply tokens: chosen log-probs (−1, −2, eot −0.5), rejected (−3, −1, eot −4); the eot is a
/// formatting token, masked out of the preference term. Reference sums over content tokens: chosen −3.5, rejected −3.
/// Policy sums: chosen −3, rejected −4, so h = (−3 + 3.5) − (−4 + 3) = 1.5.
/// </summary>
public class DpoLossTests
{
    private static DpoLossTerms Compute(PreferenceLossKind kind, double nll)
    {
        var chosen = tensor(new float[] { -1f, -2f, -0.5f }).unsqueeze(0);
        var rejected = tensor(new float[] { -3f, -1f, -4f }).unsqueeze(0);
        var contentMask = tensor(new[] { true, true, false }).unsqueeze(0);
        var replyMask = tensor(new[] { true, true, true }).unsqueeze(0);
        return DpoLoss.Compute(chosen, rejected, contentMask, contentMask, replyMask, tensor(new float[] { -3.5f }), tensor(new float[] { -3f }), 0.1, kind, nll);
    }

    [Fact]
    public void Sigmoid_loss_masks_the_eot_and_adds_0_2_times_the_chosen_nll()
    {
        var terms = Compute(PreferenceLossKind.Sigmoid, 0.2);
        // −log σ(0.1 · 1.5) = log(1 + e^−0.15) = 0.620957; NLL over all three chosen reply tokens = 3.5 / 3.
        Assert.Equal(0.620957, terms.PreferenceLoss.item<float>(), 1e-5);
        Assert.Equal(1.166667, terms.Nll.item<float>(), 1e-5);
        Assert.Equal(0.620957 + 0.2 * 1.166667, terms.Loss.item<float>(), 1e-5);
        Assert.Equal(0.05, terms.ChosenRewards.item<float>(), 1e-5);     // 0.1 · (−3 + 3.5)
        Assert.Equal(-0.1, terms.RejectedRewards.item<float>(), 1e-5);   // 0.1 · (−4 + 3)
    }

    [Fact]
    public void Ipo_loss_uses_mean_log_probs_and_targets_one_over_two_beta()
    {
        // Means over 2 content tokens: h = (−1.5 + 1.75) − (−2 + 1.5) = 0.75; (0.75 − 1/(2 · 0.1))² = 18.0625.
        Assert.Equal(18.0625, Compute(PreferenceLossKind.Ipo, 0).Loss.item<float>(), 1e-4);
    }

    [Fact]
    public void Hinge_loss_is_one_minus_beta_h_clipped_at_zero()
    {
        Assert.Equal(0.85, Compute(PreferenceLossKind.Hinge, 0).Loss.item<float>(), 1e-5);
    }

    [Fact]
    public void The_gradient_never_reaches_a_masked_formatting_token_through_the_preference_term()
    {
        var chosen = tensor(new float[] { -1f, -2f, -0.5f }, requires_grad: true);
        var rejected = tensor(new float[] { -3f, -1f, -4f }, requires_grad: true);
        var mask = tensor(new[] { true, true, false }).unsqueeze(0);
        var terms = DpoLoss.Compute(chosen.unsqueeze(0), rejected.unsqueeze(0), mask, mask, mask, tensor(new float[] { -3.5f }), tensor(new float[] { -3f }),
            0.1, PreferenceLossKind.Sigmoid, 0);
        terms.Loss.backward();
        Assert.Equal(0f, chosen.grad!.data<float>()[2]);
        Assert.Equal(0f, rejected.grad!.data<float>()[2]);
        Assert.NotEqual(0f, chosen.grad!.data<float>()[0]);
    }
}
