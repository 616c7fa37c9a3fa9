using System.Text.Json.Serialization;

namespace Llama.Core.Training;

/// <summary>
/// Hyper-parameters of <see cref="AdamW"/> other than the learning rate, which the schedule supplies per step.
/// Defaults: betas (0.9, 0.95) and weight decay 0.1 as Llama 2 trained ("Llama 2: Open Foundation and Fine-Tuned
/// Chat Models", section 2.2; the Llama 3 paper names AdamW but not these values) and as torchtitan's optimizer
/// config defaults; eps 1e-8 is torchtitan's and torch.optim.AdamW's default (Llama 2 used 1e-5).
/// </summary>
/// <param name="Beta1">Decay of the first-moment (gradient) average.</param>
/// <param name="Beta2">Decay of the second-moment (squared gradient) average.</param>
/// <param name="Epsilon">Added to the bias-corrected root second moment, as torch.optim.AdamW does.</param>
/// <param name="WeightDecay">Decoupled weight decay (Loshchilov and Hutter, arXiv 1711.05101), scaled by the learning rate.</param>
/// <param name="DecayFilter">
/// Which parameters (by name) receive weight decay; null means <see cref="DecaysByDefault"/>. Not serialized:
/// a function is code, not configuration.
/// </param>
public sealed record AdamWOptions(
    double Beta1 = 0.9,
    double Beta2 = 0.95,
    double Epsilon = 1e-8,
    double WeightDecay = 0.1,
    [property: JsonIgnore] Func<string, bool>? DecayFilter = null)
{
    /// <summary>
    /// The default filter: decay every parameter except biases and normalization weights. The convention goes
    /// back to BERT's AdamWeightDecayOptimizer (exclude "LayerNorm" and "bias"); Hugging Face's Trainer
    /// (<c>get_decay_parameter_names</c>) and nanoGPT's <c>configure_optimizers</c> (decay only tensors with
    /// two or more dimensions) keep it. Scaling vectors are not over-parameterised matrices: shrinking an
    /// RMSNorm gain towards 0 only fights the loss. torchtitan itself decays every parameter; pass
    /// <c>_ =&gt; true</c> to do the same.
    /// </summary>
    public static bool DecaysByDefault(string parameterName)
    {
        string[] parts = parameterName.Split('.');
        string leaf = parts[^1];
        if (leaf == "bias") return false;
        // The module owning the tensor: "input_layernorm", "post_attention_layernorm", "norm" (final), "q_norm".
        string owner = parts.Length >= 2 ? parts[^2] : "";
        return !(owner == "norm" || owner.EndsWith("_norm", StringComparison.Ordinal)
                 || owner.EndsWith("layernorm", StringComparison.Ordinal) || owner.EndsWith("rmsnorm", StringComparison.Ordinal));
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "AdamW beta1 must be in [0, 1).");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "AdamW beta2 must be in [0, 1).");
        if (!(Epsilon >= 0) || double.IsInfinity(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "AdamW epsilon must be finite and >= 0.");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "AdamW weight decay must be finite and >= 0.");
    }
}
