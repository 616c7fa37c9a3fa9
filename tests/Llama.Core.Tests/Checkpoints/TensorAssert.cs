using TorchSharp;

namespace Llama.Core.Tests.Checkpoints;

internal static class TensorAssert
{
    /// <summary>Same shape and equal elements (NaN never equals: compare NaN masks separately).</summary>
    public static void ValuesEqual(torch.Tensor expected, torch.Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = torch.NewDisposeScope();
        Assert.True((expected == actual).all().item<bool>(), "tensor values differ");
    }
}
