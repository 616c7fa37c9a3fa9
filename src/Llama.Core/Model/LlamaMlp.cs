using Llama.Core.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>SwiGLU feed-forward (Shazeer, 2020): <c>down(silu(gate(x)) * up(x))</c>.</summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    public LlamaMlp(LlamaConfig config, Device device, ScalarType dtype) : base(nameof(LlamaMlp))
    {
        GateProj = nn.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, device, dtype);
        UpProj = nn.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, device, dtype);
        DownProj = nn.Linear(config.IntermediateSize, config.HiddenSize, config.MlpBias, device, dtype);
        register_module(GateProjName, GateProj);
        register_module(UpProjName, UpProj);
        register_module(DownProjName, DownProj);
    }

    public const string GateProjName = "gate_proj", UpProjName = "up_proj", DownProjName = "down_proj";

    // Module<Tensor, Tensor> rather than Linear: quantization (FP8) and LoRA swap in other layers from outside (ReplaceProjection).
    public nn.Module<Tensor, Tensor> GateProj { get; private set; }
    public nn.Module<Tensor, Tensor> UpProj { get; private set; }
    public nn.Module<Tensor, Tensor> DownProj { get; private set; }

    public static IReadOnlyList<string> ProjectionNames { get; } = [GateProjName, UpProjName, DownProjName];

    /// <summary>The projection registered as <paramref name="name"/> (gate_proj, up_proj or down_proj).</summary>
    public nn.Module<Tensor, Tensor> Projection(string name) => name switch
    {
        GateProjName => GateProj,
        UpProjName => UpProj,
        DownProjName => DownProj,
        _ => throw new ArgumentException($"'{name}' is not a projection of the MLP ({string.Join(", ", ProjectionNames)})", nameof(name)),
    };

    /// <summary>Puts <paramref name="replacement"/> (same input and output widths, e.g. an FP8 linear) in place of one projection.</summary>
    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> replacement)
    {
        var old = Projection(name);
        if (name == GateProjName) GateProj = replacement;
        else if (name == UpProjName) UpProj = replacement;
        else DownProj = replacement;
        ProjectionSwap.Reregister(this, name, old, replacement);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var hidden = nn.functional.silu(GateProj.call(x)) * UpProj.call(x);
        return DownProj.call(hidden).MoveToOuterDisposeScope();
    }
}
