using static TorchSharp.torch;

namespace Llama.Core.Devices;

/// <summary>
/// Seeded random draws for tensors on any device. TorchSharp's <c>new Generator(seed, device)</c> makes a CPU generator
/// whatever the device, and CUDA kernels refuse one ("Expected a 'cuda' device type for generator but found 'cpu'",
/// seen on an H200), so the numbers are drawn on the CPU and copied to the tensor's device. A seed then gives the
/// same weights on every device, which also makes a CPU run and a GPU run of the same recipe comparable.
/// </summary>
public static class SeededRandom
{
    /// <summary>A generator for <see cref="FillNormal"/> and <see cref="FillUniform"/>: always a CPU one.</summary>
    public static Generator Create(long seed) => new((ulong)seed, CPU);

    /// <summary>Fills <paramref name="target"/> in place from N(mean, std²), drawn on the CPU with <paramref name="generator"/>.</summary>
    public static void FillNormal(Tensor target, double mean, double std, Generator generator)
    {
        using var noGrad = no_grad();
        using var drawn = empty(target.shape, ScalarType.Float32, CPU).normal_(mean, std, generator);
        target.copy_(drawn);
    }

    /// <summary>Fills <paramref name="target"/> in place from U(low, high), drawn on the CPU with <paramref name="generator"/>.</summary>
    public static void FillUniform(Tensor target, double low, double high, Generator generator)
    {
        using var noGrad = no_grad();
        using var drawn = empty(target.shape, ScalarType.Float32, CPU).uniform_(low, high, generator);
        target.copy_(drawn);
    }
}
