using static TorchSharp.torch;

namespace Llama.Core.Devices;

/// <summary>
/// Parses the <c>--device</c> value every entry point takes (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) and
/// refuses CUDA clearly when this build or machine has none, instead of silently running on the CPU.
/// </summary>
public static class DeviceSpec
{
    public static Device Parse(string value)
    {
        string spec = value.Trim().ToLowerInvariant();
        if (spec == "cpu") return CPU;
        if (spec == "cuda" || spec.StartsWith("cuda:"))
        {
            int index = 0;
            if (spec.Length > 4 && (!int.TryParse(spec.AsSpan(5), out index) || index < 0))
                throw new ArgumentException($"--device '{value}': the CUDA index must be a non-negative integer, as in cuda:0");
            if (!cuda.is_available())
                throw new ArgumentException(
                    $"--device '{value}': CUDA is not available (this build uses the CPU libtorch, or no GPU/driver is visible). " +
                    "Build with -p:TorchBackend=cuda, or run against PyTorch's libtorch as the README's GPU section shows.");
            int count = cuda.device_count();
            if (index >= count)
                throw new ArgumentException($"--device '{value}': only {count} CUDA device(s) are visible (cuda:0..cuda:{count - 1})");
            return new Device(TorchSharp.DeviceType.CUDA, index);
        }
        throw new ArgumentException($"--device '{value}' is not recognised: use cpu, cuda or cuda:N");
    }

    /// <summary>Parses <c>--dtype</c>: float32 (fp32), bfloat16 (bf16), float16 (fp16).</summary>
    public static ScalarType ParseDtype(string value) => value.Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" or "f32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        "float16" or "fp16" or "f16" or "half" => ScalarType.Float16,
        _ => throw new ArgumentException($"--dtype '{value}' is not recognised: use float32, bfloat16 or float16"),
    };
}
