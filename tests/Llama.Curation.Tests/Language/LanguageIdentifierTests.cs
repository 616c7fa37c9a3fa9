using Llama.Curation.Documents;
using Llama.Curation.Language;
using Llama.Curation.Stages;
using Xunit.Abstractions;

namespace Llama.Curation.Tests.Language;

/// <summary>One default identifier for the whole class: preloading Lingua's models takes seconds.</summary>
public sealed class DefaultLanguageIdentifier
{
    public LanguageIdentifier Identifier { get; } = new();
}

public sealed class LanguageIdentifierTests(DefaultLanguageIdentifier shared, ITestOutputHelper output)
    : IClassFixture<DefaultLanguageIdentifier>
{
    private readonly LanguageIdentifier _identifier = shared.Identifier;

    [Fact]
    public void Udhr_paragraphs_in_29_languages_are_identified_with_at_least_97_percent_accuracy()
    {
        var report = AccuracyReport.Measure(_identifier, UdhrFixtures.Paragraphs);
        output.WriteLine(report.ToString());
        foreach (var language in report.PerLanguage) output.WriteLine($"{language.Language}: {language.Correct}/{language.Total}");

        Assert.Equal(29, report.PerLanguage.Count);
        Assert.True(report.Accuracy >= 0.97, report.ToString());
    }

    [Fact]
    public void Correct_answers_on_udhr_paragraphs_score_above_the_default_threshold()
    {
        var scores = UdhrFixtures.Paragraphs
            .Select(p => (p.Language, Guess: _identifier.Identify(p.Text)))
            .Where(p => p.Guess.BestGuess == p.Language)
            .Select(p => p.Guess.Score)
            .Order()
            .ToArray();
        output.WriteLine($"min {scores[0]:F3}, 1st percentile {scores[scores.Length / 100]:F3}, median {scores[scores.Length / 2]:F3}");

        Assert.True(scores[scores.Length / 100] >= new LanguageIdentifierOptions().MinimumScore);
    }

    [Fact]
    public void Process_sets_language_and_score_and_keeps_every_language_without_an_allow_list()
    {
        var german = new CurationDocument("d1", "Alle Menschen sind frei und gleich an Würde und Rechten geboren.", "test");

        var kept = Assert.IsType<StageVerdict.Keep>(_identifier.Process(german));

        Assert.Equal("de", kept.Document.Language);
        Assert.InRange(kept.Document.LanguageScore!.Value, 0.5, 1.0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData("12345 67.89 -- == ++ 42")]
    public void Text_without_letters_is_undetermined_with_score_zero(string text)
    {
        var guess = _identifier.Identify(text);

        Assert.Equal(LanguageIdentifier.Undetermined, guess.Language);
        Assert.Equal(0, guess.Score);
    }

    [Fact]
    public void Only_the_bounded_prefix_is_classified()
    {
        var french = string.Concat(Enumerable.Repeat("Tous les êtres humains naissent libres et égaux en dignité et en droits. ", 40));
        var english = string.Concat(Enumerable.Repeat("All human beings are born free and equal in dignity and rights. ", 400));
        Assert.True(french.Length >= 2_000);

        Assert.Equal("fr", _identifier.Identify(french + english).Language);
    }

    [Fact]
    public void Bounded_prefix_does_not_split_a_surrogate_pair()
    {
        var text = new string('a', 1999) + "😀" + "tail";

        var prefix = LanguageIdentifier.BoundedPrefix(text, 2000);

        Assert.Equal(1999, prefix.Length);
    }

    [Fact]
    public void Parallel_identification_gives_the_same_answers_as_sequential()
    {
        var texts = UdhrFixtures.Paragraphs.Select(p => p.Text).ToArray();
        var sequential = texts.Select(t => _identifier.Identify(t)).ToArray();

        var parallel = new LanguageGuess[texts.Length];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = _identifier.Identify(texts[i]));

        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void Unknown_candidate_code_is_rejected_with_the_code_in_the_message()
    {
        var error = Assert.Throws<ArgumentException>(() => new LanguageIdentifier(new LanguageIdentifierOptions { Candidates = ["en", "xx"] }));

        Assert.Contains("'xx'", error.Message);
    }
}
