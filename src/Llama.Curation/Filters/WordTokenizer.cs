namespace Llama.Curation.Filters;

/// <summary>
/// Splits text into word and punctuation tokens the way the heuristic filters count "words". datatrove's Gopher,
/// repetition and FineWeb filters count NLTK <c>word_tokenize</c> tokens, where punctuation marks are tokens of their
/// own; this is a dependency-free approximation of that: a word is a run of letters, marks, digits or underscores,
/// joined through inner apostrophes, hyphens, periods or commas (<c>don't</c>, <c>e-mail</c>, <c>3.14</c>,
/// <c>1,000</c>); an ellipsis (<c>...</c> or <c>…</c>) is one token; every other non-space character is a token alone.
/// </summary>
internal static class WordTokenizer
{
    /// <summary>The tokens of <paramref name="text"/> in order.</summary>
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>(text.Length / 5 + 1);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (IsWordChar(text, i))
            {
                var start = i;
                i = SkipWordChars(text, i);
                // Join through one inner connector when a word character follows it.
                while (i + 1 < text.Length && IsInnerConnector(text[i]) && IsWordChar(text, i + 1))
                    i = SkipWordChars(text, i + 1);
                tokens.Add(text.Substring(start, i - start));
                continue;
            }
            if (c == '.' && i + 2 < text.Length && text[i + 1] == '.' && text[i + 2] == '.')
            {
                var start = i;
                while (i < text.Length && text[i] == '.') i++;
                tokens.Add(text.Substring(start, i - start));
                continue;
            }
            var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            tokens.Add(text.Substring(i, length));
            i += length;
        }
        return tokens;
    }

    /// <summary>Whether a token contains something other than punctuation and symbols (datatrove's "non-symbol word").</summary>
    public static bool IsWord(string token)
    {
        foreach (var c in token)
            if (char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
                    or System.Globalization.UnicodeCategory.SpacingCombiningMark || c == '_')
                return true;
        return false;
    }

    /// <summary>Whether a token contains at least one letter (Gopher's "alphabetic word").</summary>
    public static bool HasLetter(string token)
    {
        foreach (var c in token)
            if (char.IsLetter(c)) return true;
        return false;
    }

    private static int SkipWordChars(string text, int i)
    {
        while (i < text.Length && IsWordChar(text, i))
            i += char.IsSurrogatePair(text, i) ? 2 : 1;
        return i;
    }

    private static bool IsWordChar(string text, int i)
    {
        var category = char.GetUnicodeCategory(text, i);
        return category is System.Globalization.UnicodeCategory.UppercaseLetter
            or System.Globalization.UnicodeCategory.LowercaseLetter
            or System.Globalization.UnicodeCategory.TitlecaseLetter
            or System.Globalization.UnicodeCategory.ModifierLetter
            or System.Globalization.UnicodeCategory.OtherLetter
            or System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark
            or System.Globalization.UnicodeCategory.EnclosingMark
            or System.Globalization.UnicodeCategory.DecimalDigitNumber
            or System.Globalization.UnicodeCategory.LetterNumber
            or System.Globalization.UnicodeCategory.OtherNumber
            || text[i] == '_';
    }

    private static bool IsInnerConnector(char c) => c is '\'' or '\u2019' or '-' or '.' or ',';
}
