using System.Text;
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
        var ranks = TrainingCorpus.Tokenizer.Ranks;
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
