using TorchSharp;

namespace Llama.Core.Model;

/// <summary>
/// Scalars that live as long as the process, for the forward pass's hot spots. TorchSharp turns a .NET number into a
/// native <see cref="Scalar"/> that only its finalizer frees, and <c>a + b</c> on tensors is <c>a.add(b, 1)</c> with
/// such a temporary alpha: once the call has read the handle nothing references the object, so a garbage collection
/// during the native call can free the scalar under libtorch (a test failed with libtorch's "Expected false to be
/// true" from <c>Scalar::toFloat</c> in a tensor add of the forward pass; dotnet/TorchSharp pull requests 1434 and 1496 are the
/// upstream fix, not in 0.107). Every layer's residual adds, RMSNorm and RoPE use these instead, so the model's most
/// frequent calls no longer race the finalizer.
/// </summary>
internal static class KeptScalars
{
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar Two = 2.ToScalar();
}
