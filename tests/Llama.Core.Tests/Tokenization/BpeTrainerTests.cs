using System.Text;
using System.Text.RegularExpressions;
using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Tokenization;

public class BpeTrainerTests
{
    [Fact]
    public void Training_is_deterministic_across_runs_and_thread_counts()
    {
        var first = BpeTrainer.TrainRanks(TrainingCorpus.Texts, TrainingCorpus.Options with { MaxDegreeOfParallelism = 1 });
        var second = BpeTrainer.TrainRanks(TrainingCorpus.Texts.Reverse(), TrainingCorpus.Options with { MaxDegreeOfParallelism = 4 });
        Assert.Equal(first.Select(Convert.ToHexString), second.Select(Convert.ToHexString));
    }

    [Fact]
    public void First_256_ranks_are_the_single_bytes_in_order()
    {
        var ranks = TrainingCorpus.Tokenizer.GetRanks();
        for (var b = 0; b < 256; b++) Assert.Equal(new[] { (byte)b }, ranks[b]);
        Assert.True(ranks.Skip(256).All(r => r.Length >= 2));
    }

    [Fact]
    public void Vocab_size_counts_base_ranks_and_specials_come_on_top()
    {
        var tokenizer = TrainingCorpus.Tokenizer;
        Assert.Equal(TrainingCorpus.Options.VocabSize, tokenizer.BaseVocabSize);
        Assert.Equal(TrainingCorpus.Options.VocabSize + 256, tokenizer.VocabSize);
        Assert.Equal(TrainingCorpus.Options.VocabSize, tokenizer.BosId);
    }

    [Fact]
    public void Most_frequent_pair_is_merged_first()
    {
        // "ab" occurs 5 times, "cd" 3 times, so rank 256 is "ab" and 257 "cd".
        string[] texts = ["ab", "cd", "ab", "cd", "ab", "cd", "ab", "ab"];
        var ranks = BpeTrainer.TrainRanks(texts, new BpeTrainerOptions(VocabSize: 258));
        Assert.Equal("ab", Encoding.UTF8.GetString(ranks[256]));
        Assert.Equal("cd", Encoding.UTF8.GetString(ranks[257]));
    }

    [Fact]
    public void Ties_go_to_the_pair_with_smaller_bytes()
    {
        var ranks = BpeTrainer.TrainRanks(["zy", "ba", "zy", "ba"], new BpeTrainerOptions(VocabSize: 257));
        Assert.Equal("ba", Encoding.UTF8.GetString(ranks[256]));
    }

    [Fact]
    public void Stops_when_no_pair_reaches_min_frequency()
    {
        var ranks = BpeTrainer.TrainRanks(["ab ab cd"], new BpeTrainerOptions(VocabSize: 1000, MinFrequency: 2));
        Assert.Equal(257, ranks.Count);
    }

    [Fact]
    public void Merges_never_cross_pre_token_boundaries()
    {
        // "a b" splits into "a" and " b": the pair ("a", " ") never forms even though it is frequent.
        var ranks = BpeTrainer.TrainRanks(Enumerable.Repeat("a b a b a b", 10), new BpeTrainerOptions(VocabSize: 300));
        Assert.DoesNotContain(ranks, r => Encoding.UTF8.GetString(r).StartsWith("a ", StringComparison.Ordinal));
        Assert.Contains(ranks, r => Encoding.UTF8.GetString(r) == " b");
    }

    [Fact]
    public void Encoding_a_training_word_reproduces_the_trainers_segmentation()
    {
        var options = TrainingCorpus.Options;
        var counts = BpeTrainer.CountWords(TrainingCorpus.Texts, options, null, CancellationToken.None);
        var run = BpeTrainer.Learn(counts, options, null, CancellationToken.None);
        var tokenizer = Llama3Tokenizer.FromRanks(run.Ranks);
        var mismatches = run.Segmentation
            .Where(w => !tokenizer.Encode(w.Key, allowSpecial: false).SequenceEqual(w.Value))
            .Select(w => w.Key)
            .ToList();
        Assert.True(run.Segmentation.Count > 100);
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Incremental_training_equals_a_naive_recount_every_merge()
    {
        var options = new BpeTrainerOptions(VocabSize: 450);
        var fast = BpeTrainer.TrainRanks(TrainingCorpus.Texts, options).Select(Convert.ToHexString);
        Assert.Equal(NaiveTrain(TrainingCorpus.Texts, options), fast);
    }

    /// <summary>
    /// Textbook BPE: count every pair from scratch, merge the most frequent (ties: smaller left bytes, then
    /// right bytes), repeat. Tokens are hex strings, whose ordinal order is the bytes' lexicographic order.
    /// </summary>
    private static List<string> NaiveTrain(IEnumerable<string> texts, BpeTrainerOptions options)
    {
        var regex = new Regex(options.Pattern);
        var counts = texts.SelectMany(t => regex.Matches(t)).GroupBy(m => m.Value).ToDictionary(g => g.Key, g => (long)g.Count());
        var words = counts.Select(kv => (Symbols: Encoding.UTF8.GetBytes(kv.Key).Select(b => b.ToString("X2")).ToList(), Count: kv.Value)).ToList();
        var tokens = Enumerable.Range(0, 256).Select(b => b.ToString("X2")).ToList();
        while (tokens.Count < options.VocabSize)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (symbols, count) in words)
                for (var i = 0; i + 1 < symbols.Count; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;
            if (pairs.Count == 0) break;
            var best = pairs.OrderByDescending(p => p.Value)
                .ThenBy(p => p.Key.Item1, StringComparer.Ordinal).ThenBy(p => p.Key.Item2, StringComparer.Ordinal).First();
            if (best.Value < options.MinFrequency) break;
            var (left, right) = best.Key;
            tokens.Add(left + right);
            foreach (var (symbols, _) in words)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    if (symbols[i] != left || symbols[i + 1] != right) continue;
                    symbols[i] = left + right;
                    symbols.RemoveAt(i + 1);
                }
            }
        }
        return tokens;
    }

    [Fact]
    public void Reports_progress_of_both_stages()
    {
        var reports = new List<BpeTrainingProgress>();
        BpeTrainer.TrainRanks(TrainingCorpus.Texts, TrainingCorpus.Options, new SynchronousProgress(reports.Add));
        Assert.Contains(reports, r => r.Stage == BpeTrainingStage.CountingWords && r.Done == TrainingCorpus.Texts.Count);
        Assert.Equal(new BpeTrainingProgress(BpeTrainingStage.Merging, 500, 500), reports[^1]);
    }

    [Fact]
    public void Rejects_a_vocabulary_smaller_than_the_bytes() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.TrainRanks(["x"], new BpeTrainerOptions(VocabSize: 255)));

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need every report, in order, at once.</summary>
    private sealed class SynchronousProgress(Action<BpeTrainingProgress> report) : IProgress<BpeTrainingProgress>
    {
        private readonly Lock _gate = new();

        public void Report(BpeTrainingProgress value)
        {
            lock (_gate) report(value);
        }
    }
}
