using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Llama.Core.Quantization;
using static TorchSharp.torch;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench quantization</c>: the FP8 codec's encode rate (vectorized and one value at a time), and one linear
/// layer's forward pass in float32 against the FP8 layer (per-token activation quantization, weight decoding and the
/// float32 matmul the CPU path runs), with the weight bytes of each.
/// </summary>
internal static class QuantizationBench
{
    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Output features of the benchmarked layer", DefaultValueFactory = _ => 2048 };
        var columns = new Option<int>("--columns") { Description = "Input features of the benchmarked layer", DefaultValueFactory = _ => 2048 };
        var tokens = new Option<int>("--tokens") { Description = "Tokens per forward pass", DefaultValueFactory = _ => 64 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (the median is reported)", DefaultValueFactory = _ => 5 };
        var threads = CommonOptions.Threads();
        var command = new Command("quantization", "FP8 codec rate and FP8 vs float32 linear layer throughput") { rows, columns, tokens, repeats, threads };
        command.SetAction(parse =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            int r = parse.GetValue(rows), c = parse.GetValue(columns), t = parse.GetValue(tokens), n = parse.GetValue(repeats);
            if (r <= 0 || c <= 0 || t <= 0 || n <= 0) throw new ArgumentException("--rows, --columns, --tokens and --repeats must be positive");
            Run(r, c, t, n);
            return 0;
        });
        return command;
    }

    private static void Run(int rows, int columns, int tokens, int repeats)
    {
        var inv = CultureInfo.InvariantCulture;
        var values = new float[rows * columns];
        var random = new Random(1);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * 500f;
        var codes = new byte[values.Length];
        double vectorized = Median(repeats, () => Fp8Codec.Encode(values, codes, Fp8Format.E4M3Fn));
        double scalar = Median(repeats, () => { for (int i = 0; i < values.Length; i++) codes[i] = Fp8Codec.Encode(values[i], Fp8Format.E4M3Fn); });
        Console.WriteLine(string.Create(inv, $"E4M3 encode: {values.Length / vectorized / 1e6:N0} M values/s vectorized, {values.Length / scalar / 1e6:N0} M values/s one at a time ({scalar / vectorized:0.0}x)"));

        using var noGrad = no_grad();
        using var linear = nn.Linear(columns, rows, hasBias: false);
        using var fp8 = Fp8Linear.FromLinear(linear, FbgemmFp8Config.DefaultActivationScaleUpperBound, "bench");
        using var x = randn(tokens, columns);
        double float32 = Median(repeats, () => linear.forward(x).Dispose());
        double quantized = Median(repeats, () => fp8.forward(x).Dispose());
        Console.WriteLine(string.Create(inv, $"linear {rows}x{columns}, {tokens} tokens: float32 {tokens / float32:N0} tokens/s, FP8 (dequantize + float32 matmul) {tokens / quantized:N0} tokens/s ({float32 / quantized:0.00}x the float32 speed)"));
        Console.WriteLine(string.Create(inv, $"weight bytes: float32 {rows * (long)columns * 4 / 1e6:0.00} MB, FP8 codes + row scales {(rows * (long)columns + rows * 4L) / 1e6:0.00} MB"));
    }

    /// <summary>The median seconds of <paramref name="action"/> (after one warm-up run).</summary>
    private static double Median(int repeats, Action action) => BenchCommand.Median(repeats, () =>
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    });
}
