namespace Llama.Alignment.Tests;

/// <summary>The repository's data/heldout folder (committed, so present on a fresh clone), found upwards from the test binaries.</summary>
internal static class RepositoryData
{
    public static string HeldOutFolder { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "heldout");
            if (File.Exists(Path.Combine(candidate, "bsdgames-quiz.jsonl"))) return candidate;
        }
        throw new DirectoryNotFoundException("data/heldout not found above " + AppContext.BaseDirectory);
    }
}
