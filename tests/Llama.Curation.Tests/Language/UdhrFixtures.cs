using System.Text.Json;

namespace Llama.Curation.Tests.Language;

/// <summary>
/// Paragraphs of the Universal Declaration of Human Rights in 29 languages (fixtures/udhr-paragraphs.jsonl; see
/// fixtures/README.md for source and licence).
/// </summary>
internal static class UdhrFixtures
{
    public static IReadOnlyList<(string Language, string Text)> Paragraphs { get; } = Load();

    /// <summary>The folder of this file's fixtures, found from the test binaries upwards (the csproj does not copy them).</summary>
    public static string FixturesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Llama.Curation.Tests", "Language", "fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/Llama.Curation.Tests/Language/fixtures not found above {AppContext.BaseDirectory}");
    }

    private static IReadOnlyList<(string, string)> Load()
    {
        var path = Path.Combine(FixturesFolder(), "udhr-paragraphs.jsonl");
        return File.ReadLines(path)
            .Where(line => line.Length > 0)
            .Select(line =>
            {
                using var json = JsonDocument.Parse(line);
                return (json.RootElement.GetProperty("lang").GetString()!, json.RootElement.GetProperty("text").GetString()!);
            })
            .ToArray();
    }
}
