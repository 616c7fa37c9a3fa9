using Llama.Core.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Pretraining.Tests.Optimization;

public class GradientClippingTests
{
    [Fact]
    public void Gradients_above_the_limit_are_scaled_to_it_and_the_norm_before_is_returned()
    {
        // Global norm of (3, 4) and (12): sqrt(9 + 16 + 144) = 13.
        var a = WithGrad([3f, 4f]);
        var b = WithGrad([12f]);
        double norm = GradientClipping.ClipGlobalNorm([a, b], maxNorm: 1.0);

        Assert.Equal(13.0, norm, 5);
        double scale = 1.0 / (13.0 + 1e-6);
        AssertGrad([3 * scale, 4 * scale], a);
        AssertGrad([12 * scale], b);
    }

    [Fact]
    public void Gradients_below_the_limit_are_left_alone()
    {
        var a = WithGrad([0.3f, 0.4f]);
        double norm = GradientClipping.ClipGlobalNorm([a, new Parameter(zeros(3))], maxNorm: 1.0);   // the second has no grad
        Assert.Equal(0.5, norm, 6);
        AssertGrad([0.3, 0.4], a);
    }

    [Fact]
    public void A_nan_gradient_returns_a_nan_norm_and_leaves_the_gradients_untouched()
    {
        var a = WithGrad([float.NaN, 1f]);
        var b = WithGrad([100f]);
        double norm = GradientClipping.ClipGlobalNorm([a, b], maxNorm: 1.0);
        Assert.True(double.IsNaN(norm));
        AssertGrad([100], b);
    }

    private static Parameter WithGrad(float[] grad)
    {
        var p = new Parameter(zeros(grad.Length));
        p.grad = tensor(grad);
        return p;
    }

    private static void AssertGrad(double[] expected, Parameter p)
    {
        var actual = p.grad!.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);
    }
}
