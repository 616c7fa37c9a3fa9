using System.Text;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// The answer syntax of the bsdgames quiz files (quiz(6)): <c>a|b</c> alternatives, <c>{text}</c> optional text,
/// <c>[x|y]</c> alternative groups, nestable. Alternatives that spell accents by backspace overstrike
/// (<c>e\b'</c>) are dropped: they are terminal tricks, not answers.
/// </summary>
public static class QuizPattern
{
    private const int MaxForms = 64;

    /// <summary>Every accepted spelling, the fullest first (optional text included), at most 64.</summary>
    public static IReadOnlyList<string> Expand(string pattern)
    {
        int i = 0;
        var forms = Alternatives(pattern, ref i, '\0');
        return forms.Where(f => !f.Contains('\b')).Select(f => f.Trim()).Where(f => f.Length > 0).Distinct().ToList();
    }

    private static List<string> Alternatives(string s, ref int i, char close)
    {
        var result = Sequence(s, ref i, close);
        while (i < s.Length && s[i] == '|')
        {
            i++;
            result.AddRange(Sequence(s, ref i, close));
        }
        return result.Take(MaxForms).ToList();
    }

    private static List<string> Sequence(string s, ref int i, char close)
    {
        List<string> forms = [""];
        var literal = new StringBuilder();
        while (i < s.Length && s[i] != '|' && s[i] != close)
        {
            char c = s[i];
            if (c is '{' or '[')
            {
                forms = Cross(forms, [literal.ToString()]);
                literal.Clear();
                i++;
                var inner = Alternatives(s, ref i, c == '{' ? '}' : ']');
                if (i < s.Length) i++; // the closing bracket
                forms = Cross(forms, c == '{' ? [.. inner, ""] : inner);
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }
        return Cross(forms, [literal.ToString()]);
    }

    private static List<string> Cross(List<string> left, List<string> right) =>
        left.SelectMany(l => right.Select(r => l + r)).Take(MaxForms).ToList();
}
