using System.CommandLine;

namespace Llama.Cli.Commands;

/// <summary>Options several verbs share, defined once so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Device() => new("--device")
    {
        Description = "Where tensors live: cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<string> Dtype() => new("--dtype")
    {
        Description = "Weight and compute dtype: float32, bfloat16 or float16 (CPUs here run bf16 matmuls ~100x slower than fp32)",
        DefaultValueFactory = _ => "float32",
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "CPU threads for libtorch (0 = libtorch's default)",
        DefaultValueFactory = _ => 0,
    };

    public static void ApplyThreads(int threads)
    {
        if (threads < 0) throw new ArgumentException($"--threads ({threads}) must be >= 0");
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
    }
}
