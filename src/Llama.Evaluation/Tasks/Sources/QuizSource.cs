using System.Text;
using System.Text.Json;

namespace Llama.Evaluation.Tasks.Sources;

/// <summary>
/// The bsdgames <c>quiz</c> files as multiple choice: for each line, the first column is the question and the second
/// the answer; the distractors are other answers from the same column of the same file (so a wrong answer looks
/// like a right one: same kind, similar length), and the gold position is drawn at random. Files with fewer distinct
/// answers than choices are skipped. Few-shot examples come from a disjoint slice of the same files.
/// </summary>
internal static class QuizSource
{
    public static TaskDocuments Load(string path, TaskSource source)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: quiz data not found", path);
        var rows = File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonSerializer.Deserialize<QuizRow>(l, JsonSerializerOptions.Web)!)
            .Where(r => r.FieldNames.Count >= 2 && r.Fields.Count >= 2)
            .Where(r => source.Files.Count == 0 || source.Files.Contains(r.File))
            .ToList();
        var random = new Random(source.Seed);
        var test = new List<EvalDocument>();
        var fewshot = new List<EvalDocument>();
        foreach (var file in rows.GroupBy(r => r.File))
        {
            var answers = file.Select(r => QuizText.Canonical(r.Fields[1])).Distinct(StringComparer.Ordinal).ToList();
            if (answers.Count < source.Choices) continue;
            string questionName = QuizText.Canonical(file.First().FieldNames[0]);
            string answerName = QuizText.Canonical(file.First().FieldNames[1]);
            int index = 0;
            foreach (var row in file)
            {
                string question = QuizText.Canonical(row.Fields[0]), answer = QuizText.Canonical(row.Fields[1]);
                var distractors = answers.Where(a => a != answer).OrderBy(_ => random.Next()).Take(source.Choices - 1).ToList();
                int gold = random.Next(source.Choices);
                distractors.Insert(gold, answer);
                var document = new EvalDocument(row.Id, new Dictionary<string, object>
                {
                    ["category"] = file.Key, ["question_field"] = questionName, ["answer_field"] = answerName,
                    ["question"] = question, ["choices"] = distractors, ["answer"] = (long)gold,
                });
                // Every fifth item of a file is kept for few-shot prompts, so an example never shows a scored item.
                (index++ % 5 == 4 ? fewshot : test).Add(document);
            }
        }
        if (test.Count == 0) throw new InvalidOperationException($"{path}: no quiz file has {source.Choices} distinct answers for the selected files");
        return new TaskDocuments(test, fewshot);
    }

    private sealed record QuizRow(string Id, string File, [property: System.Text.Json.Serialization.JsonPropertyName("field_names")] IReadOnlyList<string> FieldNames, IReadOnlyList<string> Fields);
}

/// <summary>
/// The quiz file notation (bsdgames quiz(6)): <c>{text}</c> is optional text, <c>a|b</c> and <c>[a|b]</c> are
/// alternatives, a backspace overstrikes (accents on a terminal). The canonical form takes optional text in and the
/// first alternative without an overstrike: <c>cap{ital}</c> is "capital", <c>Yaound['\be|e\b'|e]</c> is "Yaounde".
/// </summary>
internal static class QuizText
{
    public static string Canonical(string field)
    {
        int position = 0;
        return Alternatives(field, ref position, '\0').Trim();
    }

    // Parses up to the closing character (or the end), choosing among '|'-separated alternatives.
    private static string Alternatives(string s, ref int i, char close)
    {
        var alternatives = new List<string>();
        var current = new StringBuilder();
        while (i < s.Length && s[i] != close)
        {
            char c = s[i++];
            switch (c)
            {
                case '|': alternatives.Add(current.ToString()); current.Clear(); break;
                case '{': current.Append(Alternatives(s, ref i, '}')); i++; break;
                case '[': current.Append(Alternatives(s, ref i, ']')); i++; break;
                default: current.Append(c); break;
            }
        }
        alternatives.Add(current.ToString());
        return alternatives.FirstOrDefault(a => !a.Contains('\b')) ?? alternatives[0].Replace("\b", "");
    }
}
