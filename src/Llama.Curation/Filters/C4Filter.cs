using System.Globalization;
using System.Text.RegularExpressions;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Filters;

/// <summary>
/// C4's cleaning (Raffel et al. 2020, section 2.2; TFDS <c>c4_utils.clean_page</c>), in datatrove's
/// <c>C4QualityFilter</c> order. Line rules remove lines and keep the document (with the remaining lines, trimmed,
/// joined by <c>\n</c>, and a <c>c4.lines_removed</c> tag): a word over 1000 characters, no terminal punctuation, fewer
/// than 3 words, "javascript", cookie/terms boilerplate. Document rules drop it: <c>c4.lorem_ipsum</c> and
/// <c>c4.curly_bracket</c> (checked, as in C4's code, only on lines that survived the earlier line rules) and
/// <c>c4.too_few_sentences</c> (fewer than 5 sentences left).
/// </summary>
public sealed class C4Filter(C4FilterOptions? options = null) : IDocumentStage
{
    private static readonly Regex Citation = new(@"\[\d*\]|\[edit\]|\[citation needed\]",
        RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));

    private readonly C4FilterOptions _options = options ?? new C4FilterOptions();

    /// <inheritdoc />
    public string Name => "c4";

    /// <summary>A kept line contains "lorem ipsum".</summary>
    public const string LoremIpsumReason = "c4.lorem_ipsum";
    /// <summary>A kept line contains a curly bracket.</summary>
    public const string CurlyBracketReason = "c4.curly_bracket";
    /// <summary>Fewer sentences than the minimum after line removal.</summary>
    public const string TooFewSentencesReason = "c4.too_few_sentences";
    /// <summary>Tag with the number of lines the line rules removed.</summary>
    public const string LinesRemovedTag = "c4.lines_removed";

    /// <inheritdoc />
    public StageVerdict Process(CurationDocument document)
    {
        var lines = LineSplitter.SplitLines(document.Text);
        var kept = new List<string>(lines.Count);
        var sentences = 0;
        foreach (var rawLine in lines)
        {
            var line = rawLine.Trim();
            var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (_options.MaxWordLength is { } maxWordLength && words.Any(w => w.Length > maxWordLength)) continue;
            if (_options.RemoveCitations) line = Citation.Replace(line, "");
            if (_options.RequireTerminalPunctuation && !EndsInTerminalPunctuation(line)) continue;
            // As in C4's code, the word count is taken before citations are removed.
            if (_options.MinWordsPerLine is { } minWords && words.Length < minWords) continue;
            var lower = line.ToLower(CultureInfo.InvariantCulture);
            if (_options.DropLoremIpsum && lower.Contains("lorem ipsum", StringComparison.Ordinal))
                return StageVerdict.Dropped(LoremIpsumReason, Excerpt(line));
            if (_options.RemoveJavascriptLines && lower.Contains("javascript", StringComparison.Ordinal)) continue;
            if (_options.DropCurlyBracket && line.Contains('{'))
                return StageVerdict.Dropped(CurlyBracketReason, Excerpt(line));
            if (_options.RemovePolicyLines && _options.PolicySubstrings.Any(p => lower.Contains(p, StringComparison.Ordinal))) continue;
            sentences += SentenceCounter.Count(line);
            kept.Add(line);
        }

        if (_options.MinSentences is { } minSentences && sentences < minSentences)
            return StageVerdict.Dropped(TooFewSentencesReason, $"{sentences} sentences < {minSentences}");

        var cleaned = string.Join('\n', kept).Trim();
        if (cleaned == document.Text) return StageVerdict.Kept(document);
        var removed = lines.Count - kept.Count;
        return StageVerdict.Kept((document with { Text = cleaned }).WithTag(LinesRemovedTag, removed.ToString(CultureInfo.InvariantCulture)));
    }

    private static bool EndsInTerminalPunctuation(string line) =>
        line.Length > 0 && line[^1] is '.' or '?' or '!' or '"' or '\'' && !line.EndsWith("...", StringComparison.Ordinal);

    private static string Excerpt(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
