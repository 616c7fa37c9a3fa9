namespace Llama.Core.Tokenization;

/// <summary>
/// A tokenizer file (tiktoken <c>tokenizer.model</c>, Hugging Face <c>tokenizer.json</c>) is malformed.
/// The message names the file and, where there is one, the line.
/// </summary>
public sealed class TokenizerFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="line"/> is 1-based, or null when no line applies.</summary>
    public TokenizerFormatException(string filePath, int? line, string problem, Exception? inner = null)
        : base(line is { } l ? $"{filePath}:{l}: {problem}" : $"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Line = line;
    }

    /// <summary>The file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line of the problem, or null when it is not about one line.</summary>
    public int? Line { get; }
}
