using static Llama.Curation.Tests.Filters.SampleDocuments;
using Llama.Curation.Filters;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Filters;

public sealed class DirtyWordFilterTests : IDisposable
{
    private readonly string _lists = Directory.CreateTempSubdirectory("dirty-words-").FullName;

    public DirtyWordFilterTests()
    {
        File.WriteAllLines(Path.Combine(_lists, "en.txt"), ["darn", "heck", "gosh darn it", ""]);
        File.WriteAllLines(Path.Combine(_lists, "de.txt"), ["mist"]);
        File.WriteAllLines(Path.Combine(_lists, "zh.txt"), ["坏话", "性"]);
    }

    public void Dispose() => Directory.Delete(_lists, recursive: true);

    private DirtyWordFilter Filter(DirtyWordFilterOptions? options = null) =>
        new((options ?? new DirtyWordFilterOptions()) with { ListsDirectory = _lists });

    private static string Count(StageVerdict verdict) => Kept(verdict).Tags["dirty_words.count"];

    private StageVerdict Run(string text, string? language = null, DirtyWordFilterOptions? options = null) =>
        Filter(options).Process(Doc(text, language));

    [Fact]
    public void Whole_words_are_counted_case_insensitively()
    {
        // "Darn" and "HECK" count; "darned" and "checkered" contain listed words but are other words.
        Assert.Equal("2", Count(Run("Darn! The darned HECK of a checkered flag.")));
    }

    [Fact]
    public void A_phrase_counts_once_and_may_span_a_line_break() =>
        Assert.Equal("1", Count(Run("Well, gosh\ndarn it, that was close.")));

    [Fact]
    public void The_documents_language_picks_the_list_and_english_is_the_fallback()
    {
        Assert.Equal("1", Count(Run("So ein Mist, darn.", "de")));
        Assert.Equal("1", Count(Run("So ein Mist, darn.", "de-AT")));
        Assert.Equal("1", Count(Run("So ein Mist, darn.", "xx")));
        Assert.Equal("1", Count(Run("So ein Mist, darn.", language: null)));
    }

    [Fact]
    public void Languages_without_spaces_match_inside_words_except_allow_listed_entries() =>
        // 坏话 is matched inside a run of Chinese text; 性 is on C4's Chinese allow-list and is never counted.
        Assert.Equal("1", Count(Run("他说了坏话了。这个性能很好。", "zh")));

    [Fact]
    public void One_percent_of_words_passes_and_more_is_dropped_for_ratio()
    {
        // 3 listed words: in 300 words 0.01 passes; in 299 words 0.01003 drops.
        Assert.Equal("3", Count(Run(Words(297, "calm") + " darn heck darn")));
        Assert.Equal("dirty_words.ratio", Dropped(Run(Words(296, "calm") + " darn heck darn")).Reason);
    }

    [Fact]
    public void Two_matches_never_drop_on_ratio_alone() =>
        Assert.Equal("2", Count(Run("darn heck")));

    [Fact]
    public void More_matches_than_the_count_limit_are_dropped_for_count()
    {
        var options = new DirtyWordFilterOptions { MaxDirtyWordCount = 5, MaxDirtyWordRatio = null };
        Assert.Equal("5", Count(Run(Words(5, "darn"), options: options)));
        Assert.Equal("dirty_words.count", Dropped(Run(Words(6, "darn"), options: options)).Reason);
    }

    [Fact]
    public void A_missing_lists_folder_is_reported_with_its_path()
    {
        var missing = Path.Combine(_lists, "nope");
        var error = Assert.Throws<DirectoryNotFoundException>(() => new DirtyWordFilter(new DirtyWordFilterOptions { ListsDirectory = missing }));
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void The_shipped_lists_load_and_count_an_entry_of_the_english_list()
    {
        var folder = ShippedListsFolder();
        var filter = new DirtyWordFilter(new DirtyWordFilterOptions { ListsDirectory = folder });
        Assert.Equal(28, filter.Languages.Count);
        var entry = File.ReadLines(Path.Combine(folder, "en.txt")).First(l => !l.Contains(' '));
        Assert.Equal("1", Kept(filter.Process(Doc($"The word {entry} appears once here.", "en"))).Tags["dirty_words.count"]);
        Assert.Equal("0", Kept(filter.Process(Doc(EnglishProse, "en"))).Tags["dirty_words.count"]);
    }
}
