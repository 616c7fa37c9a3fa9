using System.Text.Json;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// Questions from the bsdgames quiz files (<c>data/heldout/bsdgames-quiz.jsonl</c>): capitals of the countries in
/// the africa, america, asia and europe files, and the elements file both ways (symbol of an element, element of a
/// symbol). Every accepted spelling of an answer counts; wrong answers are other items' answers of the same kind.
/// </summary>
public sealed class QuizTask(string quizJsonlPath) : ITaskSource
{
    private static readonly string[] CapitalFiles = ["africa", "america", "asia", "europe"];

    public string Name => "quiz";

    public IReadOnlyList<TaskItem> Items()
    {
        var capitals = new List<(string Key, string Country, IReadOnlyList<string> Capital)>();
        var elements = new List<(string Key, string Symbol, IReadOnlyList<string> Name)>();
        foreach (var line in File.ReadLines(quizJsonlPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            string file = root.GetProperty("file").GetString() ?? "";
            var fields = root.GetProperty("fields").EnumerateArray().Select(f => f.GetString() ?? "").ToArray();
            string key = root.GetProperty("id").GetString() ?? "";
            if (CapitalFiles.Contains(file) && fields.Length == 2 && QuizPattern.Expand(fields[0]) is [var country, ..] && QuizPattern.Expand(fields[1]) is { Count: > 0 } capital)
                capitals.Add((key, country, capital));
            else if (file == "elements" && fields.Length == 4 && QuizPattern.Expand(fields[3]) is { Count: > 0 } name)
                elements.Add((key, fields[0], name));
        }

        var items = new List<TaskItem>();
        for (int i = 0; i < capitals.Count; i++)
        {
            var (key, country, capital) = capitals[i];
            items.Add(new TaskItem($"{Name}:capital:{key}", Name, $"What is the capital of {country}?", capital[0], capital,
                Others(capitals.Select(c => c.Capital[0]).ToList(), i, capital)));
        }
        for (int i = 0; i < elements.Count; i++)
        {
            var (key, symbol, name) = elements[i];
            items.Add(new TaskItem($"{Name}:symbol:{key}", Name, $"What is the chemical symbol of {name[0]}?", symbol, [symbol],
                Others(elements.Select(e => e.Symbol).ToList(), i, [symbol])));
            items.Add(new TaskItem($"{Name}:element:{key}", Name, $"Which element has the symbol {symbol}?", name[0], name,
                Others(elements.Select(e => e.Name[0]).ToList(), i, name)));
        }
        return items;
    }

    /// <summary>
    /// Up to three answers of neighbouring items (deterministic), leaving out any the verifier would accept for this
    /// item (two items can share an answer, e.g. two doctests that print the same list).
    /// </summary>
    internal static List<string> Others(IReadOnlyList<string> answers, int index, IReadOnlyList<string> accepted) =>
        new[] { 1, 7, 13 }.Select(step => answers[(index + step) % answers.Count])
            .Where(a => !AnswerVerifier.IsCorrect(a, accepted.Count > 0 ? accepted : [answers[index]])).Distinct().ToList();
}
