namespace Llama.Curation.Filters;

/// <summary>
/// Settings of <see cref="DirtyWordFilter"/>. The Llama 3 paper counts "dirty words" (section 3.1.1) but publishes no
/// threshold, and C4's rule (drop a page on any listed word) is known to remove benign text about sexuality, health
/// and minorities (Dodge et al. 2021, "Documenting Large Webtext Corpora", section 5). The defaults here therefore
/// drop only pages dense in listed words and tag the count on the rest, for later mixing decisions.
/// </summary>
public sealed record DirtyWordFilterOptions
{
    /// <summary>
    /// Folder of <c>&lt;language&gt;.txt</c> lists, one word or phrase a line (the repository ships
    /// <c>data/filters/dirty-words</c>, from the npm package <c>naughty-words</c>).
    /// </summary>
    public string ListsDirectory { get; init; } = "data/filters/dirty-words";

    /// <summary>The list used when the document has no language or its language has no list.</summary>
    public string FallbackLanguage { get; init; } = "en";

    /// <summary>
    /// Drop when listed words make up more than this fraction of the words (default 0.01: more than one in a
    /// hundred words, far above ordinary prose, typical of pornographic spam). Null switches the rule off.
    /// </summary>
    public double? MaxDirtyWordRatio { get; init; } = 0.01;

    /// <summary>
    /// The ratio rule applies only from this many matches, so one or two occurrences in a short page never drop it
    /// (default 3).
    /// </summary>
    public int MinMatchesForRatio { get; init; } = 3;

    /// <summary>
    /// Drop when there are more than this many matches whatever the length (default 100: a long page with a hundred
    /// listed words is not an accident). Null switches the rule off.
    /// </summary>
    public int? MaxDirtyWordCount { get; init; } = 100;

    /// <summary>
    /// Languages written without spaces between words, matched without word boundaries (as C4's bad-words filter does
    /// for Japanese, Thai and Chinese).
    /// </summary>
    public IReadOnlyList<string> UnsegmentedLanguages { get; init; } = ["ja", "th", "zh"];

    /// <summary>
    /// Entries never matched, per language, because they are common parts of ordinary words in languages without
    /// spaces: C4's allow-list (each of these removed more than 10% of pages of its language).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AllowList { get; init; } =
        new Dictionary<string, IReadOnlyList<string>> { ["ja"] = ["sm", "グロ", "女の子"], ["zh"] = ["性"] };

    /// <summary>Longest time one document's matching may take.</summary>
    public TimeSpan MatchTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
