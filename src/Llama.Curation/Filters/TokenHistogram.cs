using System.Runtime.InteropServices;
using System.IO.Hashing;
using System.Globalization;
using Llama.Core.Tokenization;

namespace Llama.Curation.Filters;

/// <summary>One document's token counts over the filter's buckets, sorted by bucket (a sparse histogram).</summary>
internal sealed record TokenHistogram(int[] Buckets, int[] Counts, long Total)
{
    /// <summary>
    /// Counts <paramref name="text"/>'s tokens: tokenizer ids when a tokenizer is given, otherwise lower-cased words and
    /// punctuation marks hashed with XxHash3 (stable across runs and machines).
    /// </summary>
    public static TokenHistogram Of(string text, Llama3Tokenizer? tokenizer, int bucketCount)
    {
        var counts = new Dictionary<int, int>();
        if (tokenizer is not null)
        {
            foreach (var id in tokenizer.Encode(text, allowSpecial: false))
                Add(counts, id % bucketCount);
        }
        else
        {
            foreach (var token in WordTokenizer.Tokenize(text))
            {
                var lower = token.ToLower(CultureInfo.InvariantCulture);
                var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(lower.AsSpan()));
                Add(counts, (int)(hash % (ulong)bucketCount));
            }
        }
        var buckets = counts.Keys.ToArray();
        Array.Sort(buckets);
        var sortedCounts = Array.ConvertAll(buckets, b => counts[b]);
        return new TokenHistogram(buckets, sortedCounts, sortedCounts.Sum(c => (long)c));
    }

    private static void Add(Dictionary<int, int> counts, int bucket) =>
        CollectionsMarshal.GetValueRefOrAddDefault(counts, bucket, out _)++;
}
