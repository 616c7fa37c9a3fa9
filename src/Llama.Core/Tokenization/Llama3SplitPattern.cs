using System.Text.RegularExpressions;

namespace Llama.Core.Tokenization;

/// <summary>The pre-tokenization regex Llama 3 splits text with before BPE (Meta's <c>pat_str</c>).</summary>
public static class Llama3SplitPattern
{
    /// <summary>
    /// Meta's llama3 <c>tokenizer.py</c> <c>pat_str</c>, also the <c>Split</c> regex of transformers' Llama 3
    /// <c>tokenizer.json</c>: contractions, letters with one leading non-letter, numbers of up to 3 digits,
    /// punctuation runs, newlines, and whitespace that leaves its last space to the next word.
    /// </summary>
    public const string Value =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>A compiled .NET regex for <paramref name="pattern"/> (the Llama 3 one is shared).</summary>
    /// <remarks>
    /// .NET matches UTF-16 code units, so letters outside the BMP (e.g. U+1D400) count as non-letters here,
    /// unlike tiktoken's Rust regex; text still round-trips, only segmentation can differ for such letters.
    /// </remarks>
    public static Regex Compile(string pattern) =>
        pattern == Value ? Shared : new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private static readonly Regex Shared = new(Value, RegexOptions.Compiled | RegexOptions.CultureInvariant);
}
