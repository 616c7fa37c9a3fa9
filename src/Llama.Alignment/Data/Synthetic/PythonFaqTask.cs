using System.Text.Json;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// Real instruction data: the Python FAQ (<c>data/heldout/python-faq.jsonl</c>), each question answered by the first
/// paragraph of its answer (whole answers run to pages; a tiny context holds a paragraph). No verifier: free text.
/// The wrong answer of a preference pair is the answer to another question.
/// </summary>
public sealed class PythonFaqTask(string faqJsonlPath) : ITaskSource
{
    public string Name => "python-faq";

    public IReadOnlyList<TaskItem> Items()
    {
        var rows = new List<(string Id, string Question, string Answer)>();
        foreach (var line in File.ReadLines(faqJsonlPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            string question = root.GetProperty("question").GetString()?.Trim() ?? "";
            string answer = FirstParagraph(root.GetProperty("answer").GetString() ?? "");
            if (question.Length > 0 && answer.Length > 0) rows.Add((root.GetProperty("id").GetString() ?? question, question, answer));
        }
        var answers = rows.Select(r => r.Answer).ToList();
        return rows.Select((r, i) => new TaskItem($"{Name}:{r.Id}", Name, r.Question, r.Answer, [], QuizTask.Others(answers, i, []))).ToList();
    }

    private static string FirstParagraph(string text)
    {
        var paragraph = text.Replace("\r\n", "\n").Trim().Split("\n\n", 2)[0];
        return string.Join(" ", paragraph.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }
}
