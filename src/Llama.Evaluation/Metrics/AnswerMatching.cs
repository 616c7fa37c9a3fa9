using System.Globalization;
using System.Text.RegularExpressions;

namespace Llama.Evaluation.Metrics;

/// <summary>
/// <c>generate_until</c> scoring: extract the answer from the generated text with a regex (the harness's
/// <c>regex</c> filter: the first match, its first group when it has one; no match gives the whole text, stripped),
/// then compare with the target exactly (after trimming) or as numbers (commas, <c>$</c> and a trailing period
/// removed, compared as decimals).
/// </summary>
public static class AnswerMatching
{
    public static string Extract(string generated, Regex? pattern)
    {
        if (pattern is null) return generated.Trim();
        var match = pattern.Match(generated);
        if (!match.Success) return generated.Trim();
        return (match.Groups.Count > 1 ? match.Groups[1].Value : match.Value).Trim();
    }

    public static bool ExactMatch(string answer, string target) => string.Equals(answer.Trim(), target.Trim(), StringComparison.Ordinal);

    public static bool NumericMatch(string answer, string target) =>
        ParseNumber(answer) is { } a && ParseNumber(target) is { } t && a == t;

    public static decimal? ParseNumber(string text)
    {
        string cleaned = text.Trim().Replace(",", "", StringComparison.Ordinal).Replace("$", "", StringComparison.Ordinal).TrimEnd('.');
        return decimal.TryParse(cleaned, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
