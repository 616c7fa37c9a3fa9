using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Filters;

/// <summary>Documents and verdict helpers the filter tests share.</summary>
internal static class SampleDocuments
{
    /// <summary>Ordinary English prose in three paragraphs (written for these tests).</summary>
    public const string EnglishProse =
        "The old lighthouse on the northern cape was built in 1871, when ships still carried most of the island's trade. " +
        "For more than a century a keeper lived in the small stone cottage beside it and climbed the spiral stairs every evening to light the lamp.\n" +
        "\n" +
        "Today the light is automatic, and the cottage has become a museum that opens to visitors in the summer months. " +
        "Its rooms hold logbooks, brass instruments and photographs of the families who kept the station running through storms and wars. " +
        "Many visitors are surprised to learn that the keepers also recorded the weather three times a day.\n" +
        "\n" +
        "Those records turned out to be valuable to scientists who study how the climate of the region has changed. " +
        "A team from the university has been copying the handwritten pages into a database, and they hope to publish the first results next year. " +
        "They say that the careful notes of ordinary people can be as useful as the readings of modern instruments.";

    public static CurationDocument Doc(string text, string? language = null) =>
        new("test/doc", text, "test") { Language = language };

    public static CurationDocument Kept(StageVerdict verdict) =>
        Assert.IsType<StageVerdict.Keep>(verdict).Document;

    public static StageVerdict.Drop Dropped(StageVerdict verdict) =>
        Assert.IsType<StageVerdict.Drop>(verdict);

    public static void AssertDropped(string expectedReason, StageVerdict verdict) =>
        Assert.Equal(expectedReason, Dropped(verdict).Reason);

    /// <summary><paramref name="count"/> space-separated copies of the words in <paramref name="cycle"/>, in turn.</summary>
    public static string Words(int count, params string[] cycle) =>
        string.Join(' ', Enumerable.Range(0, count).Select(i => cycle[i % cycle.Length]));

    /// <summary>The repository's <c>data/filters/dirty-words</c>, found above the test binaries.</summary>
    public static string ShippedListsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "filters", "dirty-words");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("data/filters/dirty-words not found above " + AppContext.BaseDirectory);
    }
}
