using Llama.Curation.Documents;
using Llama.Curation.Quality;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Quality;

public sealed class QualityFilterTests(TrainedQualityClassifier trained) : IClassFixture<TrainedQualityClassifier>
{
    private readonly QualityFilter _filter = new(trained.Classifier);

    private static readonly string GoodText = QualityExamples.HeldOut.First(e => e.Good).Text;
    private static readonly string BadText = QualityExamples.HeldOut.First(e => !e.Good).Text;

    [Fact]
    public void Good_text_is_kept_with_its_score()
    {
        var kept = Assert.IsType<StageVerdict.Keep>(_filter.Process(new CurationDocument("g", GoodText, "test") { Language = "en" }));

        Assert.Equal(trained.Classifier.Score(GoodText), kept.Document.QualityScore);
        Assert.True(kept.Document.QualityScore >= _filter.Options.MinimumScore);
    }

    [Fact]
    public void Bad_text_is_dropped_as_low_score()
    {
        var drop = Assert.IsType<StageVerdict.Drop>(_filter.Process(new CurationDocument("b", BadText, "test")));

        Assert.Equal(QualityFilter.LowScoreReason, drop.Reason);
    }

    [Fact]
    public void Threshold_zero_scores_bad_text_without_dropping_it()
    {
        var scoreOnly = new QualityFilter(trained.Classifier, new QualityFilterOptions { MinimumScore = 0 });

        var kept = Assert.IsType<StageVerdict.Keep>(scoreOnly.Process(new CurationDocument("b", BadText, "test")));

        Assert.Equal(trained.Classifier.Score(BadText), kept.Document.QualityScore);
    }

    [Fact]
    public void Other_languages_pass_unscored_with_a_tag()
    {
        var german = new CurationDocument("de", BadText, "test") { Language = "de" };

        var kept = Assert.IsType<StageVerdict.Keep>(_filter.Process(german));

        Assert.Null(kept.Document.QualityScore);
        Assert.Equal("language=de", kept.Document.Tags[QualityFilter.SkippedTag]);
    }

    [Fact]
    public void Exempt_domains_pass_unscored_with_a_tag()
    {
        var code = new CurationDocument("c", BadText, "test") { Language = "en", Domain = "code" };

        var kept = Assert.IsType<StageVerdict.Keep>(_filter.Process(code));

        Assert.Equal("domain=code", kept.Document.Tags[QualityFilter.SkippedTag]);
    }
}
