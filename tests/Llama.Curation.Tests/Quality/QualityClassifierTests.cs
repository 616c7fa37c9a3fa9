using Llama.Curation.Quality;
using Xunit.Abstractions;

namespace Llama.Curation.Tests.Quality;

/// <summary>One classifier trained on the training half, shared by the tests that only read it.</summary>
public sealed class TrainedQualityClassifier : IDisposable
{
    public QualityClassifier Classifier { get; } = QualityClassifierTrainer.Train(QualityExamples.Training);

    public void Dispose() => Classifier.Dispose();
}

public sealed class QualityClassifierTests(TrainedQualityClassifier trained, ITestOutputHelper output)
    : IClassFixture<TrainedQualityClassifier>
{
    private readonly QualityClassifier _classifier = trained.Classifier;

    [Fact]
    public void Held_out_good_and_bad_texts_are_separated_with_auc_at_least_0_98_and_accuracy_at_least_0_95()
    {
        var scored = QualityExamples.HeldOut.Select(e => (Score: _classifier.Score(e.Text), e.Good)).ToArray();
        var auc = AreaUnderRocCurve(scored);
        var accuracy = scored.Count(s => (s.Score >= 0.5) == s.Good) / (double)scored.Length;
        output.WriteLine($"held-out: {scored.Length} texts, AUC {auc:F4}, accuracy@0.5 {accuracy:P1}, " +
                         $"good min {scored.Where(s => s.Good).Min(s => s.Score):F3}, bad max {scored.Where(s => !s.Good).Max(s => s.Score):F3}");

        Assert.True(auc >= 0.98, $"AUC {auc}");
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy}");
    }

    [Fact]
    public void Scores_are_probabilities()
    {
        foreach (var (text, _) in QualityExamples.HeldOut)
            Assert.InRange(_classifier.Score(text), 0.0, 1.0);
    }

    [Fact]
    public void Training_twice_with_the_same_seed_gives_the_same_scores()
    {
        using var again = QualityClassifierTrainer.Train(QualityExamples.Training);

        foreach (var (text, _) in QualityExamples.HeldOut)
            Assert.Equal(_classifier.Score(text), again.Score(text));
    }

    [Fact]
    public void Save_and_load_round_trip_gives_the_same_scores()
    {
        var path = Path.Combine(Path.GetTempPath(), $"quality-{Guid.NewGuid():N}.zip");
        try
        {
            _classifier.Save(path);
            using var loaded = QualityClassifier.Load(path);

            foreach (var (text, _) in QualityExamples.HeldOut)
                Assert.Equal(_classifier.Score(text), loaded.Score(text));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Scoring_from_many_threads_matches_scoring_from_one()
    {
        var texts = QualityExamples.HeldOut.Select(e => e.Text).ToArray();
        var sequential = texts.Select(_classifier.Score).ToArray();

        var parallel = new double[texts.Length];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = _classifier.Score(texts[i]));

        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void Training_with_one_class_only_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            QualityClassifierTrainer.Train(QualityExamples.Training.Where(e => e.Good)));

        Assert.Contains("0 bad", error.Message);
    }

    /// <summary>AUC as the probability that a random good text outscores a random bad one (ties count half).</summary>
    private static double AreaUnderRocCurve(IReadOnlyList<(double Score, bool Good)> scored)
    {
        var good = scored.Where(s => s.Good).Select(s => s.Score).ToArray();
        var bad = scored.Where(s => !s.Good).Select(s => s.Score).ToArray();
        var wins = good.Sum(g => bad.Sum(b => g > b ? 1.0 : g == b ? 0.5 : 0.0));
        return wins / (good.Length * (double)bad.Length);
    }
}
