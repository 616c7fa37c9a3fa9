using Llama.Core.Devices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Lora;

/// <summary>
/// A frozen linear projection with a trainable low-rank update (LoRA, Hu et al., 2021):
/// <code>y = W x + b + (alpha / r) · B A dropout(x)</code>
/// with A [r, in] drawn as PEFT draws it (kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in)) and B [out, r] zero, so
/// a fresh adapter leaves the output unchanged. The base weight keeps its registered name (<c>weight</c>), so the
/// module's parameters are the projection's plus <c>lora_A.weight</c> and <c>lora_B.weight</c> (PEFT's names).
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Dropout? _dropout;

    /// <summary>Wraps <paramref name="linear"/>, sharing its weight storage (no copy); the base parameters do not require gradients.</summary>
    public LoraLinear(Linear linear, int rank, double alpha, double dropout, Generator? generator = null) : base(nameof(LoraLinear))
    {
        if (rank <= 0) throw new ArgumentOutOfRangeException(nameof(rank), rank, "the LoRA rank must be > 0");
        var w = linear.weight ?? throw new ArgumentException("the linear layer has no weight", nameof(linear));
        InFeatures = w.shape[1];
        OutFeatures = w.shape[0];
        Rank = rank;
        Alpha = alpha;
        Dropout = dropout;
        // detach() gives a new handle on the same storage: the caller may dispose the old Linear.
        weight = new Parameter(w.detach(), requires_grad: false);
        register_parameter("weight", weight);
        if (linear.bias is { } b)
        {
            bias = new Parameter(b.detach(), requires_grad: false);
            register_parameter("bias", bias);
        }
        lora_A = nn.Linear(InFeatures, rank, hasBias: false, device: w.device, dtype: w.dtype);
        lora_B = nn.Linear(rank, OutFeatures, hasBias: false, device: w.device, dtype: w.dtype);
        using (no_grad())
        {
            double bound = 1 / Math.Sqrt(InFeatures); // kaiming_uniform_(a=√5): gain √(2/6), bound = gain·√3/√fan_in
            if (generator is null) lora_A.weight!.uniform_(-bound, bound);
            else SeededRandom.FillUniform(lora_A.weight!, -bound, bound, generator); // seeded: drawn on the CPU
            lora_B.weight!.zero_();
        }
        register_module("lora_A", lora_A);
        register_module("lora_B", lora_B);
        if (dropout > 0)
        {
            _dropout = nn.Dropout(dropout);
            register_module("lora_dropout", _dropout);
        }
    }

    // Field names are the registered names (TorchSharp's convention), which are PEFT's tensor names.
#pragma warning disable IDE1006
    public Parameter weight { get; }
    public Parameter? bias { get; }
    public Linear lora_A { get; }
    public Linear lora_B { get; }
#pragma warning restore IDE1006

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public int Rank { get; }
    public double Alpha { get; }
    public double Dropout { get; }
    /// <summary>alpha / r.</summary>
    public double Scale => Alpha / Rank;

    /// <summary>The trainable parameters: A and B.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> AdapterParameters() =>
        [("lora_A.weight", lora_A.weight!), ("lora_B.weight", lora_B.weight!)];

    /// <summary>(alpha / r) · B A, [out, in]: what merging adds to W.</summary>
    public Tensor DeltaWeight() => lora_B.weight!.matmul(lora_A.weight!).mul(Scale);

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var frozen = nn.functional.linear(x, weight, bias);
        var adapterInput = _dropout is null ? x : _dropout.call(x);
        var update = lora_B.call(lora_A.call(adapterInput)); // [.., in] -> [.., r] -> [.., out]
        return frozen.add(update, alpha: Scale).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A plain linear layer computing what this module computes in eval mode, W' = W + (alpha / r)·B A, folded into this
    /// module's weight storage in place (no second copy of W). This module must not be used afterwards.
    /// </summary>
    public Linear Merge()
    {
        using var noGrad = no_grad();
        using (var delta = DeltaWeight()) weight.add_(delta);
        var merged = nn.Linear(InFeatures, OutFeatures, hasBias: bias is not null, device: weight.device, dtype: weight.dtype);
        merged.weight = new Parameter(weight.detach());
        if (bias is not null) merged.bias = new Parameter(bias.detach());
        return merged;
    }
}
