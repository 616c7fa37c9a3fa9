namespace Llama.Curation.Ingest;

/// <summary>The file kinds <see cref="DocumentReader"/> reads, told apart by extension.</summary>
internal enum InputFormat
{
    Unsupported,
    PlainText,
    Html,
    JsonLines,
    Parquet,
}

/// <summary>One file to read: where it is, how it is named in ids, and how to read it.</summary>
internal sealed record InputFile(string FullPath, string IdPath, string Source, InputFormat Format, bool Gzipped)
{
    private static readonly string[] PlainTextExtensions = [".txt", ".md", ".rst"];
    private static readonly string[] HtmlExtensions = [".html", ".htm"];

    /// <summary>The format of <paramref name="fileName"/>, and whether it is gzip-compressed (<c>.txt.gz</c>).</summary>
    public static (InputFormat Format, bool Gzipped) Classify(string fileName)
    {
        var gzipped = fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        var inner = gzipped ? fileName[..^3] : fileName;
        var extension = Path.GetExtension(inner).ToLowerInvariant();
        var format = extension switch
        {
            _ when PlainTextExtensions.Contains(extension) => InputFormat.PlainText,
            _ when HtmlExtensions.Contains(extension) => InputFormat.Html,
            ".jsonl" => InputFormat.JsonLines,
            ".parquet" when !gzipped => InputFormat.Parquet, // Parquet compresses its pages itself
            _ => InputFormat.Unsupported,
        };
        // gzip is read for the line-oriented and whole-file text formats only.
        if (gzipped && format is InputFormat.Html) format = InputFormat.Unsupported;
        return (format, gzipped);
    }

    /// <summary>The file name without <c>.gz</c> and its own extension: <c>austen.txt.gz</c> → <c>austen</c>.</summary>
    public static string Stem(string fileName)
    {
        var inner = fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? fileName[..^3] : fileName;
        return Path.GetFileNameWithoutExtension(inner);
    }
}
