using System.Text;

namespace Llama.Core.Tokenization;

/// <summary>
/// Reads and writes tiktoken's BPE rank format, which Meta ships as Llama 3's <c>tokenizer.model</c>:
/// one token per line, the base64 of its bytes, a space, its rank (tiktoken <c>load_tiktoken_bpe</c>).
/// </summary>
public static class TiktokenRankFile
{
    /// <summary>
    /// Reads the ranks of <paramref name="path"/>: element r holds the bytes of rank r. Ranks must be
    /// 0..N-1 with no gaps and no byte sequence twice, or a <see cref="TokenizerFormatException"/> names the line.
    /// </summary>
    public static IReadOnlyList<byte[]> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Tokenizer rank file not found: {path}", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>Reads ranks from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors.</summary>
    public static IReadOnlyList<byte[]> Read(TextReader reader, string sourceName)
    {
        var byRank = new Dictionary<int, byte[]>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            // tiktoken skips empty lines: `for line in contents.splitlines() if line`.
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2)
                throw new TokenizerFormatException(sourceName, lineNumber,
                    $"expected '<base64 token> <rank>', got {Quote(line)}");
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(parts[0]);
            }
            catch (FormatException e)
            {
                throw new TokenizerFormatException(sourceName, lineNumber, $"invalid base64 {Quote(parts[0])}", e);
            }
            if (bytes.Length == 0)
                throw new TokenizerFormatException(sourceName, lineNumber, "a token must have at least one byte");
            if (!int.TryParse(parts[1], System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var rank))
                throw new TokenizerFormatException(sourceName, lineNumber, $"invalid rank {Quote(parts[1])}");
            if (!byRank.TryAdd(rank, bytes))
                throw new TokenizerFormatException(sourceName, lineNumber, $"rank {rank} appears twice");
            if (!seen.TryAdd(parts[0], lineNumber))
                throw new TokenizerFormatException(sourceName, lineNumber,
                    $"token {parts[0]} already has a rank (line {seen[parts[0]]})");
        }
        if (byRank.Count == 0)
            throw new TokenizerFormatException(sourceName, null, "no ranks found (empty file)");
        var ranks = new byte[byRank.Count][];
        for (var r = 0; r < ranks.Length; r++)
        {
            // Ids are ranks, and the specials follow the last rank, so the ranks must be dense.
            if (!byRank.TryGetValue(r, out var bytes))
                throw new TokenizerFormatException(sourceName, null,
                    $"ranks must be 0..{ranks.Length - 1} without gaps, but rank {r} is missing");
            ranks[r] = bytes;
        }
        return ranks;
    }

    /// <summary>Writes <paramref name="ranks"/> in rank order, one '&lt;base64&gt; &lt;rank&gt;' line each.</summary>
    public static void Write(string path, IReadOnlyList<byte[]> ranks)
    {
        using var stream = File.Create(path);
        Write(stream, ranks);
    }

    /// <summary>Writes <paramref name="ranks"/> to <paramref name="stream"/> (left open).</summary>
    public static void Write(Stream stream, IReadOnlyList<byte[]> ranks)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        for (var r = 0; r < ranks.Count; r++)
        {
            writer.Write(Convert.ToBase64String(ranks[r]));
            writer.Write(' ');
            writer.WriteLine(r.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string Quote(string s) => s.Length <= 60 ? $"'{s}'" : $"'{s[..60]}...'";
}
