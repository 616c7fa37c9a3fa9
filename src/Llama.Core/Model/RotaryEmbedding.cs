using Llama.Core.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>
/// Rotary position embedding (Su et al., 2021) in transformers' rotate-half layout: the first half of each
/// head's channels pairs with the second half. Frequencies follow the config's <c>rope_scaling</c>
/// (Llama 3.1's llama3 rescale included). Angles are computed from the positions at each call, in float32
/// like transformers, so no position table grows with the context or lands in checkpoints.
/// </summary>
public sealed class RotaryEmbedding : nn.Module
{
    private readonly Tensor _invFreq; // [head_dim / 2] float32

    public RotaryEmbedding(LlamaConfig config, Device device) : base(nameof(RotaryEmbedding))
    {
        _invFreq = tensor(InverseFrequencies(config), dtype: ScalarType.Float32, device: device);
        register_buffer("inv_freq", _invFreq, persistent: false);
    }

    public Tensor InvFreq => _invFreq;

    /// <summary>
    /// <c>1 / theta^(2i/d)</c>, then rescaled per <c>rope_scaling</c>. The llama3 rule (transformers
    /// <c>_compute_llama3_parameters</c>): wavelengths shorter than original_context/high_freq_factor keep
    /// their frequency, longer than original_context/low_freq_factor are divided by factor, and those in
    /// between blend the two smoothly.
    /// </summary>
    public static float[] InverseFrequencies(LlamaConfig config)
    {
        int dim = config.EffectiveHeadDim;
        var inv = new float[dim / 2];
        for (int i = 0; i < inv.Length; i++)
            inv[i] = (float)(1.0 / Math.Pow(config.RopeTheta, 2.0 * i / dim));

        switch (config.RopeScaling)
        {
            case null or { RopeType: "default" }:
                break;
            case { RopeType: "linear" } linear:
                for (int i = 0; i < inv.Length; i++) inv[i] = (float)(inv[i] / linear.Factor);
                break;
            case { RopeType: "llama3" } s:
                double original = s.OriginalMaxPositionEmbeddings!.Value;
                double low = s.LowFreqFactor!.Value, high = s.HighFreqFactor!.Value;
                double lowFreqWavelength = original / low, highFreqWavelength = original / high;
                for (int i = 0; i < inv.Length; i++)
                {
                    double f = inv[i], wavelength = 2 * Math.PI / f;
                    if (wavelength < highFreqWavelength) continue;
                    if (wavelength > lowFreqWavelength) { inv[i] = (float)(f / s.Factor); continue; }
                    double smooth = (original / wavelength - low) / (high - low);
                    inv[i] = (float)((1 - smooth) * f / s.Factor + smooth * f);
                }
                break;
            default:
                throw new LlamaConfigException($"rope_scaling.rope_type '{config.RopeScaling.RopeType}' is not supported");
        }
        return inv;
    }

    /// <summary>cos and sin of the angles for <paramref name="positions"/> [B, T]: each [B, 1, T, head_dim], float32.</summary>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positions)
    {
        using var scope = NewDisposeScope();
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1) * _invFreq; // [B, T, d/2]
        var emb = cat([freqs, freqs], dim: -1).unsqueeze(1);                   // [B, 1, T, d]
        return (emb.cos().MoveToOuterDisposeScope(), emb.sin().MoveToOuterDisposeScope());
    }

    /// <summary>Rotates <paramref name="x"/> [B, H, T, d] by the angles: <c>x cos + rotate_half(x) sin</c>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat([-x2, x1], dim: -1);
        var result = (x * cos.to(x.dtype)).add(rotated * sin.to(x.dtype), KeptScalars.One);
        return result.MoveToOuterDisposeScope();
    }
}
