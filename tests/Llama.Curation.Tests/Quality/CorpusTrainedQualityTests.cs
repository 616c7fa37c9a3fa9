using Llama.Curation.Documents;
using Llama.Curation.Quality;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Quality;

public class CorpusTrainedQualityTests
{
    private static List<CurationDocument> Corpus()
    {
        var documents = new List<CurationDocument>();
        int i = 0;
        foreach (var text in QualityExamples.GoodParagraphs) documents.Add(new CurationDocument($"good-{i++:000}", text, "prose") { Language = "en" });
        i = 0;
        foreach (var text in LowQualityTextGenerator.Generate(80, seed: 9)) documents.Add(new CurationDocument($"bad-{i++:000}", text, "web") { Language = "en" });
        return documents;
    }

    private static Dictionary<string, StageVerdict> Run(QualityModelTraining training, IReadOnlyList<CurationDocument> documents, bool parallel)
    {
        if (parallel) Parallel.ForEach(documents, training.Observe);
        else foreach (var d in documents) training.Observe(d);
        training.Seal();
        Assert.All(documents, d => Assert.IsType<StageVerdict.Keep>(training.Process(d)));
        var filter = new TrainedQualityFilter(training);
        return documents.ToDictionary(d => d.Id, filter.Process);
    }

    [Fact]
    public void Trains_on_its_own_corpus_and_drops_low_quality_documents()
    {
        using var stage = new QualityModelTraining(new CorpusTrainedQualityOptions { MinExamplesPerClass = 5 });
        var verdicts = Run(stage, Corpus(), parallel: false);
        var goodKept = verdicts.Where(v => v.Key.StartsWith("good")).Count(v => v.Value is StageVerdict.Keep);
        var badDropped = verdicts.Where(v => v.Key.StartsWith("bad")).Count(v => v.Value is StageVerdict.Drop { Reason: QualityFilter.LowScoreReason });
        Assert.True(goodKept >= 0.9 * verdicts.Keys.Count(k => k.StartsWith("good")), $"kept {goodKept} good");
        Assert.True(badDropped >= 0.5 * 80, $"dropped {badDropped} of 80 bad");
        Assert.All(verdicts.Values.OfType<StageVerdict.Keep>(), k => Assert.NotNull(k.Document.QualityScore));
    }

    [Fact]
    public void The_sample_and_the_scores_do_not_depend_on_thread_order()
    {
        using var sequential = new QualityModelTraining(new CorpusTrainedQualityOptions { MinExamplesPerClass = 5, MaxExamplesPerClass = 15 });
        using var parallel = new QualityModelTraining(new CorpusTrainedQualityOptions { MinExamplesPerClass = 5, MaxExamplesPerClass = 15 });
        var a = Run(sequential, Corpus(), parallel: false);
        var b = Run(parallel, Corpus(), parallel: true);
        foreach (var (id, verdict) in a)
            Assert.Equal((verdict as StageVerdict.Keep)?.Document.QualityScore, (b[id] as StageVerdict.Keep)?.Document.QualityScore);
    }

    [Fact]
    public void Too_few_examples_leave_documents_unscored_and_tagged()
    {
        using var stage = new QualityModelTraining();
        var verdicts = Run(stage, Corpus().Take(5).ToList(), parallel: false);
        Assert.All(verdicts.Values, v => Assert.Equal("untrained", Assert.IsType<StageVerdict.Keep>(v).Document.Tags[TrainedQualityFilter.UntrainedTag]));
    }
}
