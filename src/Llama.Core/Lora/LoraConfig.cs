using Llama.Core.Model;

namespace Llama.Core.Lora;

/// <summary>
/// Which projections get a low-rank adapter and its shape (Hu et al., 2021, arXiv 2106.09685). The defaults are PEFT's
/// <c>LoraConfig</c> for Llama: rank 8, alpha 8 (scale alpha/rank = 1), no dropout, q_proj and v_proj.
/// Not sealed: a training stage adds its own switch to it (e.g. <c>enabled</c>) without repeating the fields.
/// </summary>
public record LoraConfig
{
    /// <summary>The projections an adapter can be attached to, in checkpoint naming.</summary>
    public static IReadOnlyList<string> KnownTargets { get; } =
    [
        LlamaAttention.QProjName, LlamaAttention.KProjName, LlamaAttention.VProjName, LlamaAttention.OProjName,
        LlamaMlp.GateProjName, LlamaMlp.UpProjName, LlamaMlp.DownProjName,
    ];

    /// <summary>r: the inner width of B·A.</summary>
    public int Rank { get; init; } = 8;
    /// <summary>The update is scaled by alpha / r, so changing r does not change the initial step size much.</summary>
    public double Alpha { get; init; } = 8;
    /// <summary>Dropout on the adapter's input only (the frozen path sees x unchanged), as in PEFT.</summary>
    public double Dropout { get; init; }
    public IReadOnlyList<string> Targets { get; init; } = [LlamaAttention.QProjName, LlamaAttention.VProjName];

    /// <param name="where">The config path to name in errors, e.g. <c>sft.lora</c>.</param>
    public void Validate(string where)
    {
        if (Rank <= 0) throw new ArgumentException($"{where}.rank ({Rank}) must be > 0");
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"{where}.alpha ({Alpha}) must be finite and > 0");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"{where}.dropout ({Dropout}) must be in [0, 1)");
        if (Targets.Count == 0) throw new ArgumentException($"{where}.targets is empty: name at least one of {string.Join(", ", KnownTargets)}");
        foreach (var target in Targets)
        {
            if (!KnownTargets.Contains(target))
                throw new ArgumentException($"{where}.targets: unknown projection '{target}' (known: {string.Join(", ", KnownTargets)})");
        }
        if (Targets.Distinct().Count() != Targets.Count) throw new ArgumentException($"{where}.targets names a projection twice ({string.Join(", ", Targets)})");
    }
}
