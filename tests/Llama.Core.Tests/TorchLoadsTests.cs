using TorchSharp;

namespace Llama.Core.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void Libtorch_loads_and_multiplies()
    {
        using var a = torch.ones(3, 4);
        using var b = torch.ones(4, 2);
        using var c = a.matmul(b);
        Assert.Equal(4f, c[0, 0].item<float>());
    }
}
