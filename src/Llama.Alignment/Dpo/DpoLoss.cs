using static TorchSharp.torch;

namespace Llama.Alignment.Dpo;

/// <summary>Which preference loss DPO optimises (TRL's <c>loss_type</c> names).</summary>
public enum PreferenceLossKind
{
    /// <summary>DPO (Rafailov et al. 2023): <c>−log σ(β·h)</c>, h = (π_c − ref_c) − (π_r − ref_r) over summed log-probs.</summary>
    Sigmoid,
    /// <summary>IPO (Azar et al. 2023): <c>(h − 1/(2β))²</c> over per-token mean log-probs, as TRL computes it.</summary>
    Ipo,
    /// <summary>SLiC hinge (Zhao et al. 2023): <c>max(0, 1 − β·h)</c>.</summary>
    Hinge,
}

/// <summary>The loss of one batch and its parts; rewards are DPO's implicit rewards β·(π − ref) per pair.</summary>
public sealed record DpoLossTerms(Tensor Loss, Tensor PreferenceLoss, Tensor Nll, Tensor ChosenRewards, Tensor RejectedRewards);

/// <summary>
/// Llama 3's DPO objective (section 4.1.4): the preference loss over response tokens with the formatting tokens
/// (header and end-of-turn) masked out, plus 0.2 × the NLL of the chosen response (TRL: <c>loss_type=["sigmoid","sft"]</c>,
/// <c>loss_weights=[1.0, 0.2]</c>). The masks say which tokens count: <paramref name="chosenMask"/> and
/// <paramref name="rejectedMask"/> for the preference term (content tokens), <paramref name="chosenNllMask"/> for the NLL
/// (content and eot: the model must still learn to stop).
/// </summary>
public static class DpoLoss
{
    /// <param name="policyChosen">Per-token log-probs of the policy on the chosen rows [B, T].</param>
    /// <param name="policyRejected">Per-token log-probs on the rejected rows [B, T'].</param>
    /// <param name="referenceChosen">The reference model's log-probs summed over <paramref name="chosenMask"/> [B] (cached once).</param>
    /// <param name="referenceRejected">The same over <paramref name="rejectedMask"/> [B].</param>
    public static DpoLossTerms Compute(Tensor policyChosen, Tensor policyRejected, Tensor chosenMask, Tensor rejectedMask, Tensor chosenNllMask,
        Tensor referenceChosen, Tensor referenceRejected, double beta, PreferenceLossKind kind, double nllCoefficient)
    {
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be > 0");
        using var scope = NewDisposeScope();
        var cMask = chosenMask.to(ScalarType.Float32);
        var rMask = rejectedMask.to(ScalarType.Float32);
        var piChosen = (policyChosen * cMask).sum(1);
        var piRejected = (policyRejected * rMask).sum(1);
        Tensor refChosen = referenceChosen, refRejected = referenceRejected;
        if (kind == PreferenceLossKind.Ipo)
        {
            // IPO compares average log-probs so the target margin 1/(2β) does not depend on reply length.
            var cCount = cMask.sum(1).clamp_min(1);
            var rCount = rMask.sum(1).clamp_min(1);
            piChosen /= cCount; piRejected /= rCount;
            refChosen = refChosen / cCount; refRejected = refRejected / rCount;
        }
        var chosenLogRatio = piChosen - refChosen;
        var rejectedLogRatio = piRejected - refRejected;
        var h = chosenLogRatio - rejectedLogRatio;
        var preference = kind switch
        {
            PreferenceLossKind.Sigmoid => -nn.functional.logsigmoid(beta * h),
            PreferenceLossKind.Ipo => (h - 1 / (2 * beta)).pow(2),
            PreferenceLossKind.Hinge => nn.functional.relu(1 - beta * h),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        var preferenceLoss = preference.mean();
        var nllMask = chosenNllMask.to(ScalarType.Float32);
        var nll = -(policyChosen * nllMask).sum() / nllMask.sum().clamp_min(1);
        var loss = preferenceLoss + nllCoefficient * nll;
        return new DpoLossTerms(loss.MoveToOuterDisposeScope(), preferenceLoss.MoveToOuterDisposeScope(), nll.MoveToOuterDisposeScope(),
            (beta * chosenLogRatio).detach().MoveToOuterDisposeScope(), (beta * rejectedLogRatio).detach().MoveToOuterDisposeScope());
    }
}
