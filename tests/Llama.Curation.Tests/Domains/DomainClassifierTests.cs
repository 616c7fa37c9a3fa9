using Llama.Curation.Documents;
using Llama.Curation.Domains;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Domains;

public sealed class DomainClassifierTests
{
    private readonly DomainClassifier _classifier = new();

    private const string Prose =
        "In the spring of 1854 a cholera outbreak killed hundreds of people around Broad Street in London. The physician " +
        "John Snow mapped the deaths and noticed that they clustered around a single water pump.\n" +
        "He persuaded the local council to remove the pump handle, and his map became one of the founding documents of " +
        "modern epidemiology.";

    private const string PythonSession = """
        The os module gives access to the file system:

        >>> import os
        >>> os.path.join("a", "b")
        'a/b'
        >>> for name in sorted(os.listdir(".")):
        ...     print(name)
        """;

    private const string CSharp = """
        public static int Sum(int[] values)
        {
            var total = 0;
            foreach (var value in values) total += value;
            return total;
        }
        """;

    private const string ArithmeticQuiz = """
        What is 12 + 7? 19
        What is 9 * 8? 72
        Compute 144 / 12 = 12
        If x = 3, then 2x + 1 = 7
        """;

    private const string Latex = """
        The sum \sum_{k=1}^{n} k equals \frac{n(n+1)}{2}, and the integral \int_0^1 x dx is \frac{1}{2}.
        """;

    [Theory]
    [InlineData(Prose, "en", DomainNames.General)]
    [InlineData(PythonSession, "en", DomainNames.Code)]
    [InlineData(CSharp, "und", DomainNames.Code)]
    [InlineData(CSharp, "de", DomainNames.Code)]
    [InlineData(ArithmeticQuiz, "en", DomainNames.Math)]
    [InlineData(Latex, "en", DomainNames.Math)]
    [InlineData("Alle Menschen sind frei und gleich an Würde und Rechten geboren.", "de", DomainNames.Multilingual)]
    [InlineData(Prose, "und", DomainNames.General)]
    [InlineData(Prose, null, DomainNames.General)]
    public void Rules_pick_the_expected_domain(string text, string? language, string expected)
    {
        Assert.Equal(expected, _classifier.Classify(text, language));
    }

    [Fact]
    public void Process_sets_the_domain_and_the_evidence_tag_and_never_drops()
    {
        var kept = Assert.IsType<StageVerdict.Keep>(_classifier.Process(new CurationDocument("c", CSharp, "test") { Language = "en" }));

        Assert.Equal(DomainNames.Code, kept.Document.Domain);
        Assert.StartsWith("code_lines=", kept.Document.Tags[DomainClassifier.EvidenceTag]);
    }

    [Theory]
    [InlineData("ta", DomainNames.Multilingual)]
    [InlineData("en", DomainNames.General)]
    [InlineData(null, DomainNames.Multilingual)]
    public void An_undetermined_language_is_judged_by_its_best_guess(string? guess, string expected)
    {
        const string text = "A short line of text in some language or other, about rights and freedoms of everyone.";
        var document = new CurationDocument("u", text, "test") { Language = Llama.Curation.Language.LanguageIdentifier.Undetermined };
        if (guess is not null) document = document.WithTag(Llama.Curation.Language.LanguageIdentifier.GuessTag, guess);
        var kept = Assert.IsType<StageVerdict.Keep>(_classifier.Process(document));
        Assert.Equal(expected, kept.Document.Domain);
    }

    [Fact]
    public void Prose_lines_do_not_look_like_code()
    {
        Assert.All(Prose.Split('\n'), line => Assert.False(CodeSignals.LooksLikeCode(line), line));
    }

    [Fact]
    public void Primary_languages_are_configurable()
    {
        var germanFirst = new DomainClassifier(new DomainClassifierOptions { PrimaryLanguages = ["de"] });

        Assert.Equal(DomainNames.General, germanFirst.Classify("Alle Menschen sind frei und gleich an Würde und Rechten geboren.", "de"));
        Assert.Equal(DomainNames.Multilingual, germanFirst.Classify(Prose, "en"));
    }
}
