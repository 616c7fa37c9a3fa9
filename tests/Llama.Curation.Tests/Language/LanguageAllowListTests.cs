using Llama.Curation.Documents;
using Llama.Curation.Language;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Language;

public sealed class LanguageAllowListTests
{
    private static readonly LanguageIdentifier EnglishAndGermanOnly = new(new LanguageIdentifierOptions
    {
        Candidates = ["en", "de", "fr", "es"],
        LowAccuracyMode = true,
        AllowedLanguages = ["en", "de"],
    });

    [Fact]
    public void A_language_outside_the_allow_list_is_dropped_as_unsupported()
    {
        var spanish = new CurationDocument("d", "Todos los seres humanos nacen libres e iguales en dignidad y derechos.", "test");

        var drop = Assert.IsType<StageVerdict.Drop>(EnglishAndGermanOnly.Process(spanish));

        Assert.Equal(LanguageIdentifier.UnsupportedReason, drop.Reason);
        Assert.Contains("es", drop.Detail);
    }

    [Fact]
    public void A_language_on_the_allow_list_is_kept()
    {
        var english = new CurationDocument("d", "All human beings are born free and equal in dignity and rights.", "test");

        var kept = Assert.IsType<StageVerdict.Keep>(EnglishAndGermanOnly.Process(english));

        Assert.Equal("en", kept.Document.Language);
    }

    [Fact]
    public void Undetermined_text_is_dropped_when_an_allow_list_is_set()
    {
        var digits = new CurationDocument("d", "0123 4567 8910", "test");

        var drop = Assert.IsType<StageVerdict.Drop>(EnglishAndGermanOnly.Process(digits));

        Assert.Equal(LanguageIdentifier.UnsupportedReason, drop.Reason);
    }

    [Fact]
    public void Below_the_threshold_the_language_is_undetermined_and_the_best_guess_is_a_tag()
    {
        // A threshold of 1 marks everything Lingua is not certain of; real text of a few words is never 1.0 over 4
        // related candidates unless a unique character decides it (none here).
        var strict = new LanguageIdentifier(new LanguageIdentifierOptions { Candidates = ["en", "de", "fr", "es"], MinimumScore = 1.0 });
        var document = new CurationDocument("d", "The hotel restaurant is open.", "test");

        var kept = Assert.IsType<StageVerdict.Keep>(strict.Process(document));

        Assert.Equal(LanguageIdentifier.Undetermined, kept.Document.Language);
        Assert.Equal("en", kept.Document.Tags[LanguageIdentifier.GuessTag]);
        Assert.True(kept.Document.LanguageScore < 1.0);
    }
}
