namespace Llama.Curation.Tests.Quality;

/// <summary>Good paragraphs from fixtures/ and generated bad texts, split into training and held-out halves.</summary>
internal static class QualityExamples
{
    public static IReadOnlyList<string> GoodParagraphs { get; } =
        new[] { "good-licence-paragraphs.txt", "good-written-paragraphs.txt" }
            .SelectMany(file => File.ReadAllText(Path.Combine(FixturesFolder(), file)).Split("\n\n"))
            .Select(p => p.Trim())
            .Where(p => p.Length > 0)
            .ToArray();

    public static IReadOnlyList<(string Text, bool Good)> Training { get; } =
        GoodParagraphs.Where((_, i) => i % 2 == 0).Select(t => (t, true))
            .Concat(LowQualityTextGenerator.Generate(60, seed: 1).Select(t => (t, false)))
            .ToArray();

    public static IReadOnlyList<(string Text, bool Good)> HeldOut { get; } =
        GoodParagraphs.Where((_, i) => i % 2 == 1).Select(t => (t, true))
            .Concat(LowQualityTextGenerator.Generate(40, seed: 2).Select(t => (t, false)))
            .ToArray();

    private static string FixturesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Llama.Curation.Tests", "Quality", "fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/Llama.Curation.Tests/Quality/fixtures not found above {AppContext.BaseDirectory}");
    }
}
