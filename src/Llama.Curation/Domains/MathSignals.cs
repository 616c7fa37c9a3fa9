using System.Text.RegularExpressions;

namespace Llama.Curation.Domains;

/// <summary>
/// What makes text look like math: tokens that are numbers, operators or formulas (<c>12+7</c>, <c>x^2</c>, <c>=</c>,
/// <c>∑</c>), and LaTeX math commands. Plain numbers in prose ("in 1854") are diluted by the words around them.
/// </summary>
internal static partial class MathSignals
{
    private const string Operators = "+-−*/×÷=<>≤≥≠≈^√∑∏∫∂∞π±%";

    /// <summary>Fraction of whitespace-separated tokens that are math, and the count of LaTeX math commands.</summary>
    public static (double TokenFraction, int LatexCommands) Measure(string text)
    {
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var math = tokens.Count(IsMathToken);
        return (tokens.Length == 0 ? 0 : (double)math / tokens.Length, LatexCommand().Count(text));
    }

    internal static bool IsMathToken(string token)
    {
        var core = token.Trim('.', ',', ';', ':', '?', '!', '(', ')', '[', ']');
        if (core.Length == 0) return false;
        if (core.All(c => Operators.Contains(c))) return true;                       // a lone operator
        var digits = core.Count(char.IsDigit);
        var operators = core.Count(c => Operators.Contains(c));
        if (digits > 0 && operators > 0) return true;                                 // 12+7, 3.5%, x=2
        if (digits == core.Length) return true;                                       // a number
        return core.Any(c => "√∑∏∫∂∞π≤≥≠≈".Contains(c)) || (core.Length <= 3 && core.Contains('^'));
    }

    [GeneratedRegex(@"\\(frac|sum|int|sqrt|prod|lim|partial|alpha|beta|theta|lambda|sigma|cdot|times|leq|geq|infty|mathbb|begin\{equation)")]
    private static partial Regex LatexCommand();
}
