namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// One question of a task with its answer. <paramref name="Accepted"/> are the replies a verifier counts as correct
/// (the canonical <paramref name="Answer"/> among them); <paramref name="WrongAnswers"/> are plausible incorrect
/// replies for preference pairs. Tasks without a verifier (free-text answers) leave <paramref name="Accepted"/> empty.
/// </summary>
public sealed record TaskItem(string Id, string Task, string Question, string Answer, IReadOnlyList<string> Accepted, IReadOnlyList<string> WrongAnswers)
{
    public bool HasVerifier => Accepted.Count > 0;
}

/// <summary>A source of task items: synthetic generators and real question/answer material.</summary>
public interface ITaskSource
{
    /// <summary>The task's name (used in ids, reports and <c>--tasks</c>).</summary>
    string Name { get; }

    /// <summary>Every item, in a fixed order (the held-out split is a function of the id, not of the order).</summary>
    IReadOnlyList<TaskItem> Items();
}
