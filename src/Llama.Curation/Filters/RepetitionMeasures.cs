namespace Llama.Curation.Filters;

/// <summary>
/// The repetition measures of Gopher (Rae et al. 2021, appendix A1.1, table A1) with datatrove's exact definitions
/// (<c>datatrove/pipeline/filters/gopher_repetition_filter.py</c>): counts of repeated elements and the characters they
/// cover. N-grams are compared by word ids rather than joined strings, which gives the same answers without
/// allocating a string per n-gram.
/// </summary>
internal static class RepetitionMeasures
{
    /// <summary>
    /// Elements that equal an earlier element, and the sum of their lengths (each repeat counts, the first copy does
    /// not): datatrove's <c>find_duplicates</c>.
    /// </summary>
    public static (int DuplicateElements, long DuplicateChars) FindDuplicates(IEnumerable<string> elements)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int duplicates = 0;
        long chars = 0;
        foreach (var element in elements)
        {
            if (!seen.Add(element))
            {
                duplicates++;
                chars += element.Length;
            }
        }
        return (duplicates, chars);
    }

    /// <summary>The words as dense ids (equal words, equal ids) and their lengths, for n-gram comparisons.</summary>
    public static (int[] Ids, int[] Lengths) ToIds(IReadOnlyList<string> words)
    {
        var idsByWord = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new int[words.Count];
        var lengths = new int[words.Count];
        for (var i = 0; i < words.Count; i++)
        {
            if (!idsByWord.TryGetValue(words[i], out var id))
            {
                id = idsByWord.Count;
                idsByWord.Add(words[i], id);
            }
            ids[i] = id;
            lengths[i] = words[i].Length;
        }
        return (ids, lengths);
    }

    /// <summary>
    /// Characters covered by the most frequent n-gram: its length when joined with single spaces times its count
    /// (datatrove's <c>find_top_duplicate</c>; among equally frequent n-grams the first to appear wins, as with
    /// Python's <c>Counter.most_common</c>). Zero when there are fewer than <paramref name="n"/> words.
    /// </summary>
    public static long TopNGramChars(int[] ids, int[] lengths, int n)
    {
        var gramCount = ids.Length - n + 1;
        if (gramCount <= 0) return 0;
        var counts = new Dictionary<int, int>(gramCount, new NGramComparer(ids, n));
        var firstOccurrences = new List<int>();
        for (var start = 0; start < gramCount; start++)
        {
            if (counts.TryGetValue(start, out var count)) counts[start] = count + 1;
            else
            {
                counts.Add(start, 1);
                firstOccurrences.Add(start);
            }
        }
        int bestStart = firstOccurrences[0], bestCount = 0;
        foreach (var start in firstOccurrences)
        {
            var count = counts[start];
            if (count > bestCount) (bestStart, bestCount) = (start, count);
        }
        return (long)(JoinedLength(lengths, bestStart, n) + n - 1) * bestCount;
    }

    /// <summary>
    /// Characters in repeated n-grams, scanning left to right: an n-gram seen before adds its characters (joined
    /// without separators) and the scan jumps past it, so overlapping repeats are not counted twice (datatrove's
    /// <c>find_all_duplicate</c>).
    /// </summary>
    public static long DuplicatedNGramChars(int[] ids, int[] lengths, int n)
    {
        var seen = new HashSet<int>(new NGramComparer(ids, n));
        long repeated = 0;
        var start = 0;
        while (start < ids.Length - n + 1)
        {
            if (seen.Contains(start))
            {
                repeated += JoinedLength(lengths, start, n);
                start += n;
            }
            else
            {
                seen.Add(start);
                start++;
            }
        }
        return repeated;
    }

    private static int JoinedLength(int[] lengths, int start, int n)
    {
        var total = 0;
        for (var i = start; i < start + n; i++) total += lengths[i];
        return total;
    }

    /// <summary>Compares the n-grams that start at two word positions.</summary>
    private sealed class NGramComparer(int[] ids, int n) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b) => ids.AsSpan(a, n).SequenceEqual(ids.AsSpan(b, n));

        public int GetHashCode(int start)
        {
            var hash = new HashCode();
            foreach (var id in ids.AsSpan(start, n)) hash.Add(id);
            return hash.ToHashCode();
        }
    }
}
