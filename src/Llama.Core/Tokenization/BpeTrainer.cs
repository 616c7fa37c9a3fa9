using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Llama.Core.Tokenization;

/// <summary>
/// Learns a byte-level BPE the Llama 3 way: ranks 0..255 are the single bytes in byte order, then each merge
/// gets the next rank. Ranks follow merge order, so tiktoken's encoder (merge the adjacent pair whose result
/// has the lowest rank first) replays the trainer's segmentation of every training word.
/// </summary>
/// <remarks>
/// Text is split with the pre-tokenization regex and identical pieces are counted once with their frequency.
/// Pair counts are kept incrementally: each merge revisits only the words that contain the merged pair (an
/// index pair -> words), and a max-heap with lazy invalidation picks the next pair. Ties in count go to the
/// pair whose left token's bytes, then right token's bytes, sort first, so output does not depend on threads.
/// </remarks>
public static class BpeTrainer
{
    /// <summary>Trains on <paramref name="texts"/> and returns a tokenizer with Llama 3's specials after the ranks.</summary>
    public static Llama3Tokenizer TrainFromTexts(IEnumerable<string> texts, BpeTrainerOptions options,
        IProgress<BpeTrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Llama3Tokenizer.FromRanks(TrainRanks(texts, options, progress, cancellationToken), options.Pattern);

    /// <summary>Trains on <paramref name="texts"/>; element r of the result holds the bytes of rank r.</summary>
    public static IReadOnlyList<byte[]> TrainRanks(IEnumerable<string> texts, BpeTrainerOptions options,
        IProgress<BpeTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var wordCounts = CountWords(texts, options, progress, cancellationToken);
        return Learn(wordCounts, options, progress, cancellationToken).Ranks;
    }

    /// <summary>Distinct pre-tokens and how often each occurs.</summary>
    internal static Dictionary<string, long> CountWords(IEnumerable<string> texts, BpeTrainerOptions options,
        IProgress<BpeTrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var regex = Llama3SplitPattern.Compile(options.Pattern);
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        var gate = new object();
        long textsDone = 0;
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
        };
        Parallel.ForEach(texts, parallel,
            () => new Dictionary<string, long>(StringComparer.Ordinal),
            (text, _, local) =>
            {
                // Span lookup: a piece is allocated as a string only the first time this thread sees it.
                var lookup = local.GetAlternateLookup<ReadOnlySpan<char>>();
                foreach (var m in regex.EnumerateMatches(text))
                {
                    var piece = text.AsSpan(m.Index, m.Length);
                    lookup[piece] = lookup.TryGetValue(piece, out var n) ? n + 1 : 1;
                }
                var done = Interlocked.Increment(ref textsDone);
                if (progress is not null && done % 1000 == 0)
                    progress.Report(new BpeTrainingProgress(BpeTrainingStage.CountingWords, done, null));
                return local;
            },
            local =>
            {
                lock (gate)
                {
                    foreach (var (word, n) in local)
                        total[word] = total.TryGetValue(word, out var m) ? m + n : n;
                }
            });
        progress?.Report(new BpeTrainingProgress(BpeTrainingStage.CountingWords, textsDone, textsDone));
        return total;
    }

    /// <summary>Learns merges over counted words; also returns each word's final segmentation (for tests).</summary>
    internal static BpeTrainingRun Learn(IReadOnlyDictionary<string, long> wordCounts, BpeTrainerOptions options,
        IProgress<BpeTrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var tokens = new List<byte[]>(options.VocabSize);
        for (var b = 0; b < 256; b++) tokens.Add([(byte)b]);

        // Sorted so word indices, and everything derived from them, are the same on every run.
        var words = wordCounts.Keys.Order(StringComparer.Ordinal).ToArray();
        var symbols = new int[words.Length][];
        var lengths = new int[words.Length];
        var frequency = new long[words.Length];
        for (var w = 0; w < words.Length; w++)
        {
            var bytes = Encoding.UTF8.GetBytes(words[w]);
            symbols[w] = Array.ConvertAll(bytes, b => (int)b);
            lengths[w] = bytes.Length;
            frequency[w] = wordCounts[words[w]];
        }

        var pairCounts = new Dictionary<long, long>();
        var wordsWithPair = new Dictionary<long, List<int>>();
        for (var w = 0; w < words.Length; w++)
        {
            for (var i = 0; i + 1 < lengths[w]; i++)
            {
                var pair = Pack(symbols[w][i], symbols[w][i + 1]);
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + frequency[w];
                AddWord(wordsWithPair, pair, w);
            }
        }

        var heap = new PriorityQueue<long, PairPriority>(new PairPriorityComparer(tokens));
        foreach (var (pair, count) in pairCounts) heap.Enqueue(pair, new PairPriority(count, pair));

        var lastVisit = new int[words.Length];
        Array.Fill(lastVisit, -1);
        var delta = new Dictionary<long, long>();
        var reportEvery = Math.Max(1, (options.VocabSize - 256) / 100);
        while (tokens.Count < options.VocabSize && heap.TryDequeue(out var best, out var priority))
        {
            if (!pairCounts.TryGetValue(best, out var current) || current != priority.Count) continue; // stale entry
            if (current < options.MinFrequency) break;
            cancellationToken.ThrowIfCancellationRequested();

            var (left, right) = Unpack(best);
            var merged = tokens.Count;
            tokens.Add([.. tokens[left], .. tokens[right]]);

            delta.Clear();
            foreach (var w in wordsWithPair[best])
            {
                if (lastVisit[w] == merged) continue; // listed twice
                lastVisit[w] = merged;
                MergeInWord(symbols[w], ref lengths[w], left, right, merged, frequency[w], w, delta, wordsWithPair);
            }
            wordsWithPair.Remove(best);
            foreach (var (pair, change) in delta)
            {
                if (change == 0) continue;
                var count = pairCounts.GetValueOrDefault(pair) + change;
                if (count <= 0)
                {
                    pairCounts.Remove(pair);
                }
                else
                {
                    pairCounts[pair] = count;
                    heap.Enqueue(pair, new PairPriority(count, pair));
                }
            }

            if (progress is not null && (tokens.Count - 256) % reportEvery == 0)
                progress.Report(new BpeTrainingProgress(BpeTrainingStage.Merging, tokens.Count, options.VocabSize));
        }
        progress?.Report(new BpeTrainingProgress(BpeTrainingStage.Merging, tokens.Count, options.VocabSize));

        var segmentation = new Dictionary<string, int[]>(words.Length, StringComparer.Ordinal);
        for (var w = 0; w < words.Length; w++) segmentation[words[w]] = symbols[w][..lengths[w]];
        return new BpeTrainingRun(tokens, segmentation);
    }

    /// <summary>
    /// Replaces every non-overlapping (left, right), scanning left to right, with <paramref name="merged"/>;
    /// records the change in pair counts as (pairs after) - (pairs before).
    /// </summary>
    private static void MergeInWord(int[] word, ref int length, int left, int right, int merged, long frequency,
        int wordIndex, Dictionary<long, long> delta, Dictionary<long, List<int>> wordsWithPair)
    {
        var found = false;
        for (var i = 0; i + 1 < length; i++)
        {
            if (word[i] == left && word[i + 1] == right) { found = true; break; }
        }
        if (!found) return; // the index is lazy: this word lost the pair to an earlier merge

        for (var i = 0; i + 1 < length; i++)
        {
            var pair = Pack(word[i], word[i + 1]);
            delta[pair] = delta.GetValueOrDefault(pair) - frequency;
        }
        var write = 0;
        for (var read = 0; read < length; write++)
        {
            if (read + 1 < length && word[read] == left && word[read + 1] == right)
            {
                word[write] = merged;
                read += 2;
            }
            else
            {
                word[write] = word[read++];
            }
        }
        length = write;
        for (var i = 0; i + 1 < length; i++)
        {
            var pair = Pack(word[i], word[i + 1]);
            delta[pair] = delta.GetValueOrDefault(pair) + frequency;
            // Only pairs with the new token are new to this word; the others are already indexed.
            if (word[i] == merged || word[i + 1] == merged) AddWord(wordsWithPair, pair, wordIndex);
        }
    }

    private static void AddWord(Dictionary<long, List<int>> wordsWithPair, long pair, int word)
    {
        if (!wordsWithPair.TryGetValue(pair, out var list)) wordsWithPair[pair] = list = [];
        if (list.Count == 0 || list[^1] != word) list.Add(word);
    }

    private static long Pack(int left, int right) => ((long)left << 32) | (uint)right;

    private static (int Left, int Right) Unpack(long pair) => ((int)(pair >> 32), (int)(pair & 0xFFFFFFFF));

    private readonly record struct PairPriority(long Count, long Pair);

    /// <summary>Heap order: higher count first, then left token bytes, then right token bytes, ascending.</summary>
    private sealed class PairPriorityComparer(List<byte[]> tokens) : IComparer<PairPriority>
    {
        public int Compare(PairPriority x, PairPriority y)
        {
            if (x.Count != y.Count) return y.Count.CompareTo(x.Count);
            var (xl, xr) = Unpack(x.Pair);
            var (yl, yr) = Unpack(y.Pair);
            var byLeft = tokens[xl].AsSpan().SequenceCompareTo(tokens[yl]);
            return byLeft != 0 ? byLeft : tokens[xr].AsSpan().SequenceCompareTo(tokens[yr]);
        }
    }
}

/// <summary>What training produced: the ranks and the final token ids of every distinct training word.</summary>
internal sealed record BpeTrainingRun(IReadOnlyList<byte[]> Ranks, IReadOnlyDictionary<string, int[]> Segmentation);
