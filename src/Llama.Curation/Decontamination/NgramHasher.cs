using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Llama.Curation.Decontamination;

/// <summary>
/// Normalises text to words (split on whitespace, every character that is not a letter or digit removed, lower-cased)
/// and hashes each run of n consecutive words to 64 bits, so "The Cat, sat" and "the cat sat" give the same n-grams.
/// </summary>
internal static class NgramHasher
{
    /// <summary>The normalised words of <paramref name="text"/>.</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var builder = new StringBuilder();
        foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Clear();
            foreach (var c in token)
                if (char.IsLetterOrDigit(c)) builder.Append(char.ToLowerInvariant(c));
            if (builder.Length > 0) words.Add(builder.ToString());
        }
        return words;
    }

    /// <summary>One hash per window of <paramref name="n"/> words, in order; none when there are fewer words.</summary>
    public static ulong[] NgramHashes(IReadOnlyList<string> words, int n)
    {
        if (words.Count < n) return [];
        var wordHashes = new ulong[words.Count];
        for (var i = 0; i < words.Count; i++)
            wordHashes[i] = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(words[i].AsSpan()));
        var ngrams = new ulong[words.Count - n + 1];
        for (var i = 0; i < ngrams.Length; i++)
            ngrams[i] = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(wordHashes.AsSpan(i, n)));
        return ngrams;
    }
}
