using Llama.Alignment.Data.Synthetic;

namespace Llama.Alignment.Tests.Data;

public class TaskTests
{
    [Fact]
    public void Quiz_answer_patterns_expand_to_every_accepted_spelling()
    {
        Assert.Equal(["The Gambia", "Gambia"], QuizPattern.Expand("{The }Gambia"));
        Assert.Equal(["Washington DC", "Washington"], QuizPattern.Expand("Washington{ DC}"));
        Assert.Equal(["Central African Republic", "Central African Rep", "Central Africa"], QuizPattern.Expand("Central Africa{n Rep{ublic}}"));
        Assert.Equal(["Banjul", "Bathurst"], QuizPattern.Expand("Banjul|Bathurst"));
        // Backspace-overstrike accents are terminal tricks, not answers.
        Assert.Equal(["Lome"], QuizPattern.Expand("Lom['\be|e\b'|e]"));
    }

    [Fact]
    public void Verifier_forgives_case_space_and_a_final_full_stop_only()
    {
        Assert.True(AnswerVerifier.IsCorrect("  Luanda. ", ["Luanda"]));
        Assert.True(AnswerVerifier.IsCorrect("7000", ["7000"]));
        Assert.False(AnswerVerifier.IsCorrect("700", ["7000"]));
        Assert.False(AnswerVerifier.IsCorrect("The answer is 7000", ["7000"]));
    }

    [Fact]
    public void Held_out_items_never_reach_training_and_the_split_is_stable()
    {
        string data = RepositoryData.HeldOutFolder;
        var suite = TaskSuite.Create(["arithmetic", "units", "compare", "quiz", "python-faq", "doctest"], data);
        foreach (var task in suite.Tasks)
        {
            var train = suite.Items(task, heldOut: false).Select(i => i.Id).ToHashSet();
            var heldOut = suite.Items(task, heldOut: true).Select(i => i.Id).ToList();
            Assert.NotEmpty(heldOut);
            Assert.DoesNotContain(heldOut, train.Contains);
            double fraction = heldOut.Count / (double)(heldOut.Count + train.Count);
            Assert.InRange(fraction, 0.1, 0.3);
        }
        Assert.Equal(suite.Sample(true, 5, 3).Select(i => i.Id), TaskSuite.Create(["arithmetic", "units", "compare", "quiz", "python-faq", "doctest"], data).Sample(true, 5, 3).Select(i => i.Id));
    }

    [Fact]
    public void Every_verified_item_accepts_its_answer_and_rejects_its_wrong_answers()
    {
        var suite = TaskSuite.Create(["arithmetic", "units", "compare", "quiz", "doctest"], RepositoryData.HeldOutFolder);
        foreach (var task in suite.Tasks)
            foreach (var item in suite.Items(task, false).Concat(suite.Items(task, true)))
            {
                Assert.True(AnswerVerifier.IsCorrect(item.Answer, item.Accepted), item.Id);
                Assert.NotEmpty(item.WrongAnswers);
                Assert.All(item.WrongAnswers, w => Assert.False(AnswerVerifier.IsCorrect(w, item.Accepted), $"{item.Id}: '{w}'"));
            }
    }

    [Fact]
    public void Unit_conversion_wrong_answers_lead_with_the_off_by_one_number_in_both_directions()
    {
        var items = new UnitConversionTask().Items().ToDictionary(i => i.Id);
        // The near miss a small model makes: the power of ten right, the number one off; then one zero short.
        Assert.Equal(["27000", "2800", "29000", "280", "280000", "28"], items["units:28km-m"].WrongAnswers);
        Assert.Equal(["280", "2700", "260", "27000", "270000", "27"], items["units:27cm-mm"].WrongAnswers);
        Assert.Equal("98000", items["units:99kg-g"].WrongAnswers[0]);
        Assert.Equal("200", items["units:1m-cm"].WrongAnswers[0]);
        Assert.All(items.Values, i => Assert.Equal(i.WrongAnswers.Count, i.WrongAnswers.Distinct().Count()));
        // Up and down alike among the first wrong answers, so "the smaller number" is no shortcut through the pairs.
        int up = items.Values.Count(i => long.Parse(i.WrongAnswers[0]) > long.Parse(i.Answer));
        Assert.InRange(up / (double)items.Count, 0.45, 0.55);
    }

    [Fact]
    public void Comparison_pairs_are_the_decision_and_a_larger_number_not_asked_about()
    {
        var items = new ComparisonTask().Items();
        Assert.Equal(90 * 89, items.Count);
        var item = items.Single(i => i.Id == "compare:37-73");
        Assert.Equal(("Which is larger: 37 or 73?", "73"), (item.Question, item.Answer));
        Assert.Equal(["37", "110"], item.WrongAnswers);
        // The second wrong answer is never one of the two numbers asked about, and always larger than both.
        Assert.All(items, i => Assert.True(long.Parse(i.WrongAnswers[1]) > long.Parse(i.Answer), i.Id));
    }

    [Fact]
    public void Unknown_task_and_missing_data_are_clear_errors()
    {
        Assert.Contains("unknown task 'poetry'", Assert.Throws<ArgumentException>(() => TaskSuite.Create(["poetry"], "data")).Message);
        Assert.Contains("needs", Assert.Throws<ArgumentException>(() => TaskSuite.Create(["quiz"], "/nonexistent")).Message);
    }
}
