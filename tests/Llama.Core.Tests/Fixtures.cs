namespace Llama.Core.Tests;

/// <summary>Paths of the reference data in tests/fixtures (copied to the test output folder).</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string HfTiny => Path.Combine(Root, "hf-llama3-tiny");
    public static string Tokenizer => Path.Combine(Root, "tokenizer");
    public static string Fp8 => Path.Combine(Root, "fp8");
}
