namespace Llama.Core.Tests;

/// <summary>Paths of the reference data in tests/fixtures (copied to the test output folder).</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string HfTiny => Path.Combine(Root, "hf-llama3-tiny");
    public static string Tokenizer => Path.Combine(Root, "tokenizer");
    public static string Fp8 => Path.Combine(Root, "fp8");

    /// <summary>A file of the repository (the demo corpus in data/, say), found by walking up to Llama.sln.</summary>
    public static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Llama.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("the repository root (Llama.sln) is not above the test binaries");
    }
}
