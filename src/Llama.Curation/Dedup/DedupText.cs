using System.Globalization;
using System.Text;

namespace Llama.Curation.Dedup;

/// <summary>
/// The text normalizations dedup compares on. Two texts that differ only in Unicode form, case or spacing are the
/// same document for exact and line dedup; MinHash words go further, as datatrove's <c>simplify_text</c> does.
/// </summary>
internal static class DedupText
{
    /// <summary>NFKC, lowercase, every whitespace run one space, trimmed.</summary>
    public static string Normalize(ReadOnlySpan<char> text)
    {
        var composed = text.ToString().Normalize(NormalizationForm.FormKC);
        var result = new StringBuilder(composed.Length);
        var pendingSpace = false;
        foreach (var c in composed)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = result.Length > 0;
                continue;
            }
            if (pendingSpace) result.Append(' ');
            pendingSpace = false;
            result.Append(char.ToLowerInvariant(c));
        }
        return result.ToString();
    }

    /// <summary>
    /// The words MinHash shingles, joined by single spaces, as datatrove's <c>simplify_text</c> (FineWeb): NFKC,
    /// lowercase, accents removed, punctuation and symbols removed, every digit a <c>0</c>, whitespace collapsed.
    /// Words are runs of the remaining characters; text in scripts without spaces is one word (use character
    /// shingles for it).
    /// </summary>
    public static string SimplifyForWords(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var result = new StringBuilder(decomposed.Length);
        var pendingSpace = false;
        foreach (var c in decomposed)
        {
            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format:
                    continue; // accents (after NFKD), zero-width joiners
                case UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Control:
                    pendingSpace = result.Length > 0;
                    continue;
                case UnicodeCategory.DecimalDigitNumber:
                    AppendWordChar(result, '0', ref pendingSpace);
                    continue;
                case UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
                    or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
                    or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
                    or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol
                    or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol:
                    continue; // datatrove deletes punctuation: "don't" and "dont" shingle alike
                default:
                    AppendWordChar(result, char.ToLowerInvariant(c), ref pendingSpace);
                    continue;
            }
        }
        return result.ToString();
    }

    private static void AppendWordChar(StringBuilder result, char c, ref bool pendingSpace)
    {
        if (pendingSpace) result.Append(' ');
        pendingSpace = false;
        result.Append(c);
    }
}
