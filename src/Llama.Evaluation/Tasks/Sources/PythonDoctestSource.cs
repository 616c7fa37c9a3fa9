namespace Llama.Evaluation.Tasks.Sources;

/// <summary>
/// "Predict the output" items from the Python documentation's <c>&gt;&gt;&gt;</c> examples (held out from the
/// corpus): the prompt is the interactive session up to the last input line, the target the printed output.
/// The fields <c>setup</c> and <c>code</c> are what the execution check runs; a <c>library/M.rst</c> page's setup
/// starts with <c>from M import *</c>. Every tenth item is kept for few-shot.
/// </summary>
internal static partial class PythonDoctestSource
{
    public static TaskDocuments Load(string path)
    {
        var rows = JsonlSource.Read(path);
        var test = new List<EvalDocument>();
        var fewshot = new List<EvalDocument>();
        for (int i = 0; i < rows.Count; i++)
        {
            var fields = new Dictionary<string, object>(rows[i].Fields);
            string setup = Field(fields, "setup"), code = Field(fields, "code");
            // A library page's examples run with its module's names in scope (as the docs' doctest set-up has them):
            // without this, most collections/itertools/statistics examples fail on a NameError.
            if (LibraryPage().Match(Field(fields, "source_file")) is { Success: true } page)
            {
                setup = $"from {page.Groups[1].Value} import *\n" + setup;
                fields["setup"] = setup;
            }
            fields["session"] = Session(setup) + Session(code);
            fields["expected_output"] = Field(fields, "expected_output").TrimEnd('\n');
            (i % 10 == 9 ? fewshot : test).Add(new EvalDocument(rows[i].Id, fields));
        }
        return new TaskDocuments(test, fewshot);
    }

    /// <summary>Source lines as the interactive interpreter shows them: <c>&gt;&gt;&gt; </c> for a statement, <c>... </c> inside a block.</summary>
    internal static string Session(string source)
    {
        var lines = source.TrimEnd('\n').Split('\n');
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            bool continuation = lines[i].Length > 0 && char.IsWhiteSpace(lines[i][0]);
            text.Append(continuation ? "... " : ">>> ").Append(lines[i]).Append('\n');
            bool blockEnds = continuation && (i + 1 == lines.Length || !(lines[i + 1].Length > 0 && char.IsWhiteSpace(lines[i + 1][0])));
            if (blockEnds) text.Append("...\n");
        }
        return source.Trim().Length == 0 ? "" : text.ToString();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^library/([a-z_][a-z0-9_.]*)\.rst$")]
    private static partial System.Text.RegularExpressions.Regex LibraryPage();

    private static string Field(Dictionary<string, object> fields, string name) =>
        fields.TryGetValue(name, out var value) ? value.ToString() ?? "" : "";
}
