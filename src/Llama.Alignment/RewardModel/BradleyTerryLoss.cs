using static TorchSharp.torch;

namespace Llama.Alignment.RewardModel;

/// <summary>
/// The Bradley-Terry preference loss of the reward model, <c>−log σ(r_chosen − r_rejected)</c> averaged over pairs.
/// Llama 3 drops Llama 2's margin term ("we remove the margin term in the loss", section 4.1.2).
/// </summary>
public static class BradleyTerryLoss
{
    public static Tensor Compute(Tensor chosenRewards, Tensor rejectedRewards) =>
        -nn.functional.logsigmoid(chosenRewards - rejectedRewards).mean();
}
