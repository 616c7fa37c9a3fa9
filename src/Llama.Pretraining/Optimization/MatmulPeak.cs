using System.Diagnostics;
using Llama.Core.Devices;
using static TorchSharp.torch;

namespace Llama.Pretraining.Optimization;

/// <summary>
/// The float32 matrix-multiply throughput a device actually reaches: the denominator of <see cref="Mfu"/> when no
/// datasheet figure applies (a CPU, whose peak depends on its cores, vector units and what else runs).
/// </summary>
public static class MatmulPeak
{
    /// <summary>
    /// Times <paramref name="repeats"/> products of two <paramref name="size"/>² float32 matrices after one warm-up
    /// product and returns the median rate, 2·size³ FLOPs per product. Reading one element back with <c>.item</c>
    /// forces the product to finish on asynchronous devices (CUDA) before the clock stops.
    /// </summary>
    /// <returns>Floating-point operations per second.</returns>
    public static double Measure(Device device, int size = 1024, int repeats = 5)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Matrix size must be > 0.");
        if (repeats <= 0) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "Repeats must be > 0.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Drawn on the CPU: a CUDA kernel refuses TorchSharp's (always CPU) generator.
        using var generator = SeededRandom.Create(0);
        var a = randn([size, size], ScalarType.Float32, CPU, generator: generator).to(device);
        var b = randn([size, size], ScalarType.Float32, CPU, generator: generator).to(device);
        double flopsPerProduct = 2.0 * size * size * size;

        _ = Multiply(a, b);   // warm-up: first-call allocation, kernel selection, thread pool start
        var seconds = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = Multiply(a, b);
            seconds[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(seconds);
        double median = repeats % 2 == 1 ? seconds[repeats / 2] : (seconds[repeats / 2 - 1] + seconds[repeats / 2]) / 2;
        return flopsPerProduct / median;
    }

    private static float Multiply(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var product = a.mm(b);
        return product[0, 0].item<float>();
    }
}
