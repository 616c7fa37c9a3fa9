using System.Text.RegularExpressions;

namespace Llama.Curation.Domains;

/// <summary>
/// What makes a line look like code: an interactive prompt (<c>&gt;&gt;&gt;</c>, <c>$ </c>), a leading keyword of a
/// common language, a line ending in <c>; { } ) :</c> with code symbols in it, an indented line with brackets or
/// an assignment, or a comment marker. Prose rarely does any of these on a line of its own.
/// </summary>
internal static partial class CodeSignals
{
    /// <summary>Fraction of non-empty lines that look like code, and the number of non-empty lines.</summary>
    public static (double Fraction, int Lines) CodeLineFraction(string text)
    {
        var lines = 0;
        var code = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            if (raw.IsWhiteSpace()) continue;
            lines++;
            if (LooksLikeCode(raw.ToString())) code++;
        }
        return (lines == 0 ? 0 : (double)code / lines, lines);
    }

    internal static bool LooksLikeCode(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.StartsWith(">>>") || trimmed.StartsWith("... ") || trimmed.StartsWith("$ ")) return true;
        if (trimmed.StartsWith("//") || trimmed.StartsWith("/*") || trimmed.StartsWith("#include") || trimmed.StartsWith("#!")) return true;
        if (LeadingKeyword().IsMatch(trimmed)) return true;
        var symbols = trimmed.Count(c => "{}[]();=<>_&|*\\".Contains(c));
        var endsLikeCode = trimmed[^1] is ';' or '{' or '}' or ')' or ':' or ',';
        if (endsLikeCode && symbols >= 2) return true;
        var indented = line.StartsWith("    ") || line.StartsWith('\t');
        return indented && (symbols >= 2 || Assignment().IsMatch(trimmed));
    }

    [GeneratedRegex(@"^(def|class|import|from \S+ import|return|if .*[:{(]|elif|else:|for .*[:{(]|while .*[:{(]|try:|except|public|private|protected|static|function|var|let|const|fn|package|using|namespace|#define|SELECT|INSERT|CREATE TABLE)\b")]
    private static partial Regex LeadingKeyword();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\[\]]*\s*[+\-*/]?=\s*\S")]
    private static partial Regex Assignment();
}
