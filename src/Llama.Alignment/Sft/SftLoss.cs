using static TorchSharp.torch;

namespace Llama.Alignment.Sft;

/// <summary>
/// The SFT loss: next-token cross-entropy averaged over target tokens only (assistant content and its eot; Llama 3
/// section 4.1.3 "we mask loss on prompt tokens"). Every target token weighs the same, whichever example it is in.
/// </summary>
public static class SftLoss
{
    /// <param name="logits">[B, T, V]</param>
    /// <param name="ids">[B, T]</param>
    /// <param name="targets">Bool [B, T]: token t is a target (scored from the logits at t − 1).</param>
    /// <returns>A scalar: the mean negative log-likelihood of the target tokens.</returns>
    public static Tensor Compute(Tensor logits, Tensor ids, Tensor targets)
    {
        using var scope = NewDisposeScope();
        long t = ids.shape[1];
        var logProbs = Training.SequenceBatch.NextTokenLogProbs(logits, ids); // [B, T-1]
        var mask = targets.narrow(1, 1, t - 1).to(ScalarType.Float32);
        long count = mask.sum().item<float>() is var n && n > 0 ? (long)n : throw new ArgumentException("the batch has no target tokens");
        return (-(logProbs * mask).sum() / count).MoveToOuterDisposeScope();
    }
}
