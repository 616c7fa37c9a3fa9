using Llama.Evaluation.Tasks;
using Llama.Evaluation.Tasks.Sources;

namespace Llama.Evaluation.Tests.Tasks;

public sealed class SourceTests
{
    [Theory]
    [InlineData("cap{ital}", "capital")]
    [InlineData("N'Djamena|Ndjamena", "N'Djamena")]
    [InlineData("Yaound['\be|e\b'|e]", "Yaounde")]
    [InlineData("{The }Merchant{ of Venice{ IV-i}}", "The Merchant of Venice IV-i")]
    [InlineData("M[iddle{-}Earth|E]", "Middle-Earth")]
    public void Quiz_notation_reads_as_its_full_first_plain_alternative(string field, string expected) =>
        Assert.Equal(expected, QuizText.Canonical(field));

    [Fact]
    public void Quiz_items_take_distractors_from_the_same_column_and_keep_few_shot_items_apart()
    {
        var task = new TaskCatalog(Fixtures.DataDirectory).Get("quiz");
        var documents = TaskCatalog.LoadDocuments(task);
        var capitals = documents.Test.Where(d => (string)d.Fields["category"] == "europe").ToList();
        var allCapitals = capitals.Concat(documents.Fewshot.Where(d => (string)d.Fields["category"] == "europe"))
            .Select(d => ((IReadOnlyList<string>)d.Fields["choices"])[(int)(long)d.Fields["answer"]]).ToHashSet();
        foreach (var d in capitals)
        {
            var choices = (IReadOnlyList<string>)d.Fields["choices"];
            Assert.Equal(4, choices.Count);
            Assert.Equal(4, choices.Distinct().Count());
            Assert.All(choices, c => Assert.Contains(c, allCapitals)); // every distractor is some European capital
        }
        Assert.Empty(documents.Test.Select(d => d.Id).Intersect(documents.Fewshot.Select(d => d.Id)));
    }

    [Fact]
    public void Arithmetic_problems_have_worked_answers_ending_in_the_target()
    {
        foreach (var d in ArithmeticWordProblems.Generate(40, 3, "t"))
        {
            string answer = (string)d.Fields["answer"];
            Assert.EndsWith($"#### {d.Fields["target"]}", answer);
            // Every "a op b = c" step in the worked answer is right.
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(answer, @"(\d+) ([-+*/]) (\d+) = (\d+)"))
            {
                long a = long.Parse(m.Groups[1].Value), b = long.Parse(m.Groups[3].Value), c = long.Parse(m.Groups[4].Value);
                long expected = m.Groups[2].Value switch { "+" => a + b, "-" => a - b, "*" => a * b, _ => a / b };
                Assert.Equal(expected, c);
            }
        }
    }

    [Fact]
    public void A_library_pages_examples_see_its_module()
    {
        var documents = TaskCatalog.LoadDocuments(new TaskCatalog(Fixtures.DataDirectory).Get("python-output"));
        var first = documents.Test.First(d => (string)d.Fields["source_file"] == "library/collections.rst");
        Assert.StartsWith("from collections import *\n", (string)first.Fields["setup"]);
        Assert.StartsWith(">>> from collections import *\n", (string)first.Fields["session"]);
    }

    [Fact]
    public void Doctest_sessions_look_like_the_interactive_interpreter() =>
        Assert.Equal(">>> x = 1\n>>> for i in range(2):\n...     x += i\n...\n>>> x\n",
            PythonDoctestSource.Session("x = 1\nfor i in range(2):\n    x += i\n") + PythonDoctestSource.Session("x\n"));
}
