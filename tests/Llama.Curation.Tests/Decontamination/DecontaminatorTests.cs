using Llama.Curation.Decontamination;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Decontamination;

public sealed class DecontaminatorTests : IDisposable
{
    private const string Question =
        "A farmer has seventeen sheep and all but nine of them run away through a hole in the fence; how many sheep does the farmer have left?";

    private readonly string _folder = Directory.CreateTempSubdirectory("decontamination-").FullName;
    private readonly Decontaminator _decontaminator;

    public DecontaminatorTests()
    {
        File.WriteAllLines(Path.Combine(_folder, "quiz.jsonl"),
        [
            $$"""{"question": "{{Question}}", "answer": "9"}""",
            """{"question": "What is the capital of France?", "answer": "Paris"}""",
        ]);
        File.WriteAllText(Path.Combine(_folder, "passage.txt"),
            "The lighthouse keeper climbed the spiral stairs every evening at dusk to light the great lamp above the rocks.");
        _decontaminator = Decontaminator.FromPaths([_folder]);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CurationDocument Training(string text) => new("train/1", text, "test");

    /// <summary>The first <paramref name="count"/> words of the quiz question, inside unrelated text.</summary>
    private static string Quoting(int count) =>
        "Here is a riddle my grandmother liked. " + string.Join(' ', Question.Split(' ').Take(count)) + " She always laughed.";

    [Fact]
    public void A_document_quoting_13_words_of_an_eval_question_is_dropped_naming_the_eval_file()
    {
        var drop = Assert.IsType<StageVerdict.Drop>(_decontaminator.Process(Training(Quoting(13))));

        Assert.Equal(Decontaminator.OverlapReason, drop.Reason);
        Assert.Contains("quiz.jsonl", drop.Detail);
        Assert.Contains("a farmer has seventeen sheep", drop.Detail);
    }

    [Fact]
    public void A_12_word_overlap_is_kept()
    {
        Assert.IsType<StageVerdict.Keep>(_decontaminator.Process(Training(Quoting(12))));
    }

    [Fact]
    public void Case_and_punctuation_changes_do_not_let_a_copy_slip_through()
    {
        var disguised = "A FARMER has seventeen sheep -- and ALL but nine of them run away, through a hole (in the fence)!";

        Assert.IsType<StageVerdict.Drop>(_decontaminator.Process(Training(disguised)));
    }

    [Fact]
    public void Plain_text_eval_files_are_indexed_too()
    {
        var drop = Assert.IsType<StageVerdict.Drop>(_decontaminator.Process(Training(
            "Every evening the lighthouse keeper climbed the spiral stairs every evening at dusk to light the great lamp.")));

        Assert.Contains("passage.txt", drop.Detail);
    }

    [Fact]
    public void Short_eval_answers_contribute_no_ngrams_so_ordinary_text_is_kept()
    {
        Assert.IsType<StageVerdict.Keep>(_decontaminator.Process(Training("Paris is the capital of France, and 9 is a number.")));
    }

    [Fact]
    public void A_higher_minimum_match_count_keeps_a_single_overlap()
    {
        var lenient = Decontaminator.FromPaths([_folder], new DecontaminatorOptions { MinimumMatches = 2 });

        Assert.IsType<StageVerdict.Keep>(lenient.Process(Training(Quoting(13))));
        Assert.IsType<StageVerdict.Drop>(lenient.Process(Training(Quoting(14))));
    }

    [Fact]
    public void Json_fields_can_be_restricted()
    {
        var answersOnly = Decontaminator.FromPaths([Path.Combine(_folder, "quiz.jsonl")], new DecontaminatorOptions { JsonFields = ["answer"] });

        Assert.Equal(0, answersOnly.NgramCount);
        Assert.IsType<StageVerdict.Keep>(answersOnly.Process(Training(Quoting(20))));
    }

    [Fact]
    public void A_missing_eval_path_is_an_error_naming_it()
    {
        var missing = Path.Combine(_folder, "nope.jsonl");

        var error = Assert.Throws<FileNotFoundException>(() => Decontaminator.FromPaths([missing]));

        Assert.Contains(missing, error.Message);
    }
}
