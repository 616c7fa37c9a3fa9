using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>
/// RMSNorm (Zhang and Sennrich, 2019): <c>x / sqrt(mean(x^2) + eps) * weight</c>, computed in float32 and cast
/// back, as transformers' LlamaRMSNorm does (TorchSharp 0.107 has no nn.RMSNorm).
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    // Held for the module's lifetime rather than converted per call (see KeptScalars).
    private readonly Scalar _epsScalar;
    private readonly Parameter _weight;

    public RmsNorm(long dim, double eps, Device device, ScalarType dtype) : base(nameof(RmsNorm))
    {
        _epsScalar = eps.ToScalar();
        _weight = new Parameter(ones(dim, dtype: dtype, device: device));
        register_parameter("weight", _weight);
    }

    public Parameter Weight => _weight;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inputType = x.dtype;
        var x32 = x.to(ScalarType.Float32);
        var variance = x32.pow(KeptScalars.Two).mean([-1], keepdim: true);
        var normed = x32 * rsqrt(variance.add(_epsScalar, KeptScalars.One));
        return (_weight * normed.to(inputType)).MoveToOuterDisposeScope();
    }
}
