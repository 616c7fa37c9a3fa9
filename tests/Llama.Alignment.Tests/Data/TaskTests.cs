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
        var suite = TaskSuite.Create(["arithmetic", "units", "quiz", "python-faq", "doctest"], data);
        foreach (var task in suite.Tasks)
        {
            var train = suite.Items(task, heldOut: false).Select(i => i.Id).ToHashSet();
            var heldOut = suite.Items(task, heldOut: true).Select(i => i.Id).ToList();
            Assert.NotEmpty(heldOut);
            Assert.DoesNotContain(heldOut, train.Contains);
            double fraction = heldOut.Count / (double)(heldOut.Count + train.Count);
            Assert.InRange(fraction, 0.1, 0.3);
        }
        Assert.Equal(suite.Sample(true, 5, 3).Select(i => i.Id), TaskSuite.Create(["arithmetic", "units", "quiz", "python-faq", "doctest"], data).Sample(true, 5, 3).Select(i => i.Id));
    }

    [Fact]
    public void Every_verified_item_accepts_its_answer_and_rejects_its_wrong_answers()
    {
        var suite = TaskSuite.Create(["arithmetic", "units", "quiz", "doctest"], RepositoryData.HeldOutFolder);
        foreach (var task in suite.Tasks)
            foreach (var item in suite.Items(task, false).Concat(suite.Items(task, true)))
            {
                Assert.True(AnswerVerifier.IsCorrect(item.Answer, item.Accepted), item.Id);
                Assert.NotEmpty(item.WrongAnswers);
                Assert.All(item.WrongAnswers, w => Assert.False(AnswerVerifier.IsCorrect(w, item.Accepted), $"{item.Id}: '{w}'"));
            }
    }

    [Fact]
    public void Unknown_task_and_missing_data_are_clear_errors()
    {
        Assert.Contains("unknown task 'poetry'", Assert.Throws<ArgumentException>(() => TaskSuite.Create(["poetry"], "data")).Message);
        Assert.Contains("needs", Assert.Throws<ArgumentException>(() => TaskSuite.Create(["quiz"], "/nonexistent")).Message);
    }
}
