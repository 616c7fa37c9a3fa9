using Llama.Core.Checkpoints;
using static TorchSharp.torch;

namespace Llama.Quantization.Tests;

/// <summary>The reference fixtures (tests/fixtures, copied next to the binary) and scratch folders.</summary>
internal static class TestFiles
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string HfTiny => Path.Combine(Fixtures, "hf-llama3-tiny");
    public static string TokenizerModel => Path.Combine(Fixtures, "tokenizer", "tokenizer.model");

    /// <summary>A tensor of fp8/reference.safetensors (PyTorch's casts and row-wise GEMM).</summary>
    public static Tensor Fp8Reference(string name)
    {
        using var reader = SafetensorsReader.Open(Path.Combine(Fixtures, "fp8", "reference.safetensors"));
        return reader.ReadTensor(name);
    }

    /// <summary>A file of the repository (data/...), found by walking up to Llama.sln.</summary>
    public static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Llama.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("the repository root (Llama.sln) is not above the test binaries");
    }
}

/// <summary>A fresh folder under the temp folder, deleted on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llama-quantization-tests-" + Guid.NewGuid().ToString("N"));

    public ScratchFolder() => Directory.CreateDirectory(Path);

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
