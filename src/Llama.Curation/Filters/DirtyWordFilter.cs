using System.Globalization;
using System.Text.RegularExpressions;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Filters;

/// <summary>
/// The Llama 3 paper's "dirty word" counting (section 3.1.1): counts whole-word, case-insensitive matches of the
/// document language's list (falling back to English), drops pages dense in them and tags the count
/// (<c>dirty_words.count</c>) on the rest. Drop reasons: <c>dirty_words.ratio</c>, <c>dirty_words.count</c>, and
/// <c>dirty_words.timeout</c> when matching one page took longer than allowed.
/// </summary>
public sealed class DirtyWordFilter : IDocumentStage
{
    private readonly DirtyWordFilterOptions _options;
    private readonly DirtyWordLists _lists;

    /// <summary>Loads the lists of <see cref="DirtyWordFilterOptions.ListsDirectory"/> (all defaults when null).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no non-empty list.</exception>
    public DirtyWordFilter(DirtyWordFilterOptions? options = null)
    {
        _options = options ?? new DirtyWordFilterOptions();
        _lists = DirtyWordLists.Load(_options);
    }

    /// <inheritdoc />
    public string Name => "dirty-words";

    /// <summary>Listed words are too large a fraction of the words.</summary>
    public const string RatioReason = "dirty_words.ratio";
    /// <summary>Too many listed words.</summary>
    public const string CountReason = "dirty_words.count";
    /// <summary>Matching took longer than <see cref="DirtyWordFilterOptions.MatchTimeout"/>.</summary>
    public const string TimeoutReason = "dirty_words.timeout";
    /// <summary>Tag with the number of matches on kept documents.</summary>
    public const string CountTag = "dirty_words.count";

    /// <summary>The languages that have a list.</summary>
    public IReadOnlyCollection<string> Languages => _lists.Languages;

    /// <inheritdoc />
    public StageVerdict Process(CurationDocument document)
    {
        var matcher = _lists.MatcherFor(document.Language, _options.FallbackLanguage);
        if (matcher is null) return StageVerdict.Kept(document);

        int matches;
        try
        {
            matches = matcher.Count(document.Text);
        }
        catch (RegexMatchTimeoutException)
        {
            return StageVerdict.Dropped(TimeoutReason, $"matching took longer than {_options.MatchTimeout}");
        }

        if (_options.MaxDirtyWordCount is { } maxCount && matches > maxCount)
            return StageVerdict.Dropped(CountReason, $"{matches} listed words > {maxCount}");
        if (_options.MaxDirtyWordRatio is { } maxRatio && matches >= _options.MinMatchesForRatio)
        {
            var words = Math.Max(1, WordTokenizer.Tokenize(document.Text).Count(WordTokenizer.IsWord));
            var ratio = (double)matches / words;
            if (ratio > maxRatio)
                return StageVerdict.Dropped(RatioReason, $"{matches} listed words in {words} words ({ratio:0.####} > {maxRatio})");
        }
        return StageVerdict.Kept(document.WithTag(CountTag, matches.ToString(CultureInfo.InvariantCulture)));
    }
}
