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
        register_module("gate_proj", GateProj);
        register_module("up_proj", UpProj);
        register_module("down_proj", DownProj);
    }

    public Linear GateProj { get; }
    public Linear UpProj { get; }
    public Linear DownProj { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var hidden = nn.functional.silu(GateProj.call(x)) * UpProj.call(x);
        return DownProj.call(hidden).MoveToOuterDisposeScope();
    }
}
