using System.Text.RegularExpressions;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// Exact-match verification: a reply is correct when, normalised, it equals one of the accepted answers. Normalising
/// forgives only what carries no meaning here: case, surrounding whitespace and quotes, runs of spaces and a final
/// full stop.
/// </summary>
public static partial class AnswerVerifier
{
    public static bool IsCorrect(string reply, IEnumerable<string> accepted)
    {
        string normalised = Normalise(reply);
        return accepted.Any(a => Normalise(a) == normalised);
    }

    public static string Normalise(string text)
    {
        string t = Spaces().Replace(text.Trim(), " ").Trim().Trim('"', '\'', '`').Trim();
        if (t.EndsWith('.')) t = t[..^1].TrimEnd();
        return t.ToLowerInvariant();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
