namespace Llama.Curation.Filters;

/// <summary>
/// Counts sentences in one line, standing in for NLTK's Punkt <c>sent_tokenize</c> that C4 and datatrove use: a
/// sentence ends at <c>.</c>, <c>!</c> or <c>?</c> (plus closing quotes or brackets) followed by a space or the end,
/// except after common abbreviations and single-letter initials, which Punkt also learns not to split on.
/// </summary>
internal static class SentenceCounter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "no", "fig",
        "vol", "pp", "cf", "al", "approx", "dept", "est", "gen", "gov", "mt", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec",
    };

    /// <summary>Sentences in <paramref name="line"/>; at least one when it has any non-space character.</summary>
    public static int Count(string line)
    {
        var count = 0;
        var hasTextSinceLastEnd = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c is not ('.' or '!' or '?'))
            {
                if (!char.IsWhiteSpace(c)) hasTextSinceLastEnd = true;
                continue;
            }
            var end = i;
            while (end + 1 < line.Length && line[end + 1] is '.' or '!' or '?') end++;
            while (end + 1 < line.Length && line[end + 1] is '"' or '\'' or ')' or ']' or '\u201D' or '\u2019') end++;
            var atBoundary = end + 1 == line.Length || char.IsWhiteSpace(line[end + 1]);
            if (atBoundary && hasTextSinceLastEnd && !(c == '.' && EndsWithAbbreviation(line, i)))
            {
                count++;
                hasTextSinceLastEnd = false;
            }
            i = end;
        }
        return hasTextSinceLastEnd ? count + 1 : count;
    }

    private static bool EndsWithAbbreviation(string line, int periodIndex)
    {
        var start = periodIndex;
        while (start > 0 && !char.IsWhiteSpace(line[start - 1]) && line[start - 1] is not ('(' or '"' or '\'')) start--;
        var word = line.AsSpan(start, periodIndex - start);
        if (word.Length == 1 && char.IsUpper(word[0])) return true;
        return Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
    }
}
