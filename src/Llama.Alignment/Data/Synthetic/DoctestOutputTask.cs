using System.Text.Json;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// "Predict the output" from the Python documentation's <c>&gt;&gt;&gt;</c> examples
/// (<c>data/heldout/python-doctests.jsonl</c>): the setup and the expression are the question, the recorded output is
/// the verified answer. Only short examples (code up to 200 characters, output up to 40) fit a tiny model's context.
/// </summary>
public sealed class DoctestOutputTask(string doctestJsonlPath) : ITaskSource
{
    public string Name => "doctest";

    public IReadOnlyList<TaskItem> Items()
    {
        var rows = new List<(string Id, string Code, string Output)>();
        foreach (var line in File.ReadLines(doctestJsonlPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            string code = (root.GetProperty("setup").GetString() ?? "") + (root.GetProperty("code").GetString() ?? "");
            string output = (root.GetProperty("expected_output").GetString() ?? "").Trim();
            if (output.Length is > 0 and <= 40 && code.Length <= 200) rows.Add((root.GetProperty("id").GetString() ?? code, code.TrimEnd(), output));
        }
        var outputs = rows.Select(r => r.Output).ToList();
        return rows.Select((r, i) => new TaskItem($"{Name}:{r.Id}", Name, $"What does this Python code print?\n\n{r.Code}", r.Output, [r.Output],
            QuizTask.Others(outputs, i, [r.Output]))).ToList();
    }
}
