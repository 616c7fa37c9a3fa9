using Llama.Curation.Quality;

namespace Llama.Curation.Tests.Quality;

public sealed class QualityTrainingSetsTests
{
    [Fact]
    public void Jsonl_labels_accept_booleans_numbers_and_words()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                """{"text": "a", "label": true}""",
                """{"text": "b", "label": 0}""",
                "",
                """{"text": "c", "label": "good"}""",
                """{"text": "d", "label": "LOW"}""",
            ]);

            var examples = QualityTrainingSets.FromJsonl(path).ToArray();

            Assert.Equal([("a", true), ("b", false), ("c", true), ("d", false)], examples);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Jsonl_error_names_the_file_and_line()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["""{"text": "a", "label": true}""", """{"text": "b", "label": "maybe"}"""]);

            var error = Assert.Throws<FormatException>(() => QualityTrainingSets.FromJsonl(path).ToArray());

            Assert.Contains($"{path}:2", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Heuristics_label_most_prose_good_and_most_junk_bad_and_never_the_opposite()
    {
        var heuristics = new QualityHeuristics();

        var proseLabels = QualityExamples.GoodParagraphs.Where(p => p.Split(' ').Length >= 50).Select(heuristics.Judge).ToArray();
        var junkLabels = LowQualityTextGenerator.Generate(50, seed: 3).Select(heuristics.Judge).ToArray();

        Assert.True(proseLabels.Count(l => l == true) >= proseLabels.Length * 0.8, $"{proseLabels.Count(l => l == true)}/{proseLabels.Length} prose labelled good");
        Assert.DoesNotContain(proseLabels, l => l == false);
        Assert.DoesNotContain(junkLabels, l => l == true);
        Assert.True(junkLabels.Count(l => l == false) >= junkLabels.Length * 0.8, $"{junkLabels.Count(l => l == false)}/{junkLabels.Length} junk labelled bad");
    }

    [Fact]
    public void Heuristics_leave_short_clean_text_unlabelled()
    {
        Assert.Null(new QualityHeuristics().Judge("The cat sat on the mat and looked at the garden."));
    }

    [Fact]
    public void A_classifier_trained_on_heuristic_labels_ranks_held_out_prose_above_junk()
    {
        var corpus = QualityExamples.GoodParagraphs.Where((_, i) => i % 2 == 0)
            .Concat(LowQualityTextGenerator.Generate(60, seed: 4));
        using var classifier = QualityClassifierTrainer.Train(QualityTrainingSets.FromCorpusHeuristics(corpus));

        var goodScores = QualityExamples.GoodParagraphs.Where((_, i) => i % 2 == 1).Select(classifier.Score).ToArray();
        var badScores = LowQualityTextGenerator.Generate(20, seed: 5).Select(classifier.Score).ToArray();

        Assert.True(goodScores.Average() > badScores.Average() + 0.3, $"good mean {goodScores.Average():F3}, bad mean {badScores.Average():F3}");
    }
}
