using System.Text.Json;
using Llama.Evaluation.Tasks;

namespace Llama.Evaluation.Running;

/// <summary>
/// The executable check of "predict the output" items: the document's <c>setup</c> runs as statements, then its
/// <c>code</c> as one interactive statement (compile mode "single"), so an expression's value prints as the
/// interpreter shows it (repr). What it prints is the truth a prediction is compared with.
/// </summary>
internal static class ExecutionCheck
{
    public static string Program(EvalDocument doc)
    {
        string setup = doc.Fields.TryGetValue("setup", out var s) ? s.ToString()! : "";
        string code = doc.Fields.TryGetValue("code", out var c) ? c.ToString()! : throw new TaskFileException(doc.Id, null, "an execution check needs a 'code' field");
        // JSON string literals are valid Python string literals for this text (escapes included).
        return $"_ns = {{'__name__': '__main__'}}\nexec(compile({JsonSerializer.Serialize(setup)}, '<setup>', 'exec'), _ns)\n" +
               $"exec(compile({JsonSerializer.Serialize(code)}, '<code>', 'single'), _ns)\n";
    }

    /// <summary>Output compared line by line without trailing spaces or trailing blank lines.</summary>
    public static string Normalize(string output) =>
        string.Join('\n', output.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd())).Trim('\n');
}
