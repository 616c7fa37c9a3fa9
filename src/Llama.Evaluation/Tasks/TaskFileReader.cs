using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Llama.Evaluation.Tasks;

/// <summary>
/// Reads a task file: YAML (<c>.yaml</c>/<c>.yml</c>) or JSON (<c>.json</c>), keys in snake_case as in the
/// harness's task configs. Syntax errors and unknown keys are reported with the file and line.
/// </summary>
public static class TaskFileReader
{
    public static readonly IReadOnlyList<string> SourceKinds =
        ["jsonl", "bsdgames-quiz", "arithmetic", "prose-cloze", "prose-next-sentence", "python-doctests", "text-documents"];

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static TaskDefinition Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: task file not found", path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".yaml" or ".yml" or ".json"))
            throw new TaskFileException(path, null, "a task file is .yaml, .yml or .json");
        var text = File.ReadAllText(path);
        var definition = Parse(text, path, extension == ".json");
        return definition with { SourceFile = path, BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))! };
    }

    /// <summary>Parses task file text; <paramref name="name"/> is what errors call the file.</summary>
    public static TaskDefinition Parse(string text, string name, bool json = false)
    {
        if (json)
        {
            // JSON is YAML, but JSON's own parser names the line of a JSON syntax error exactly.
            try { using var _ = JsonDocument.Parse(text); }
            catch (JsonException e) { throw new TaskFileException(name, (e.LineNumber ?? 0) + 1, $"JSON syntax error: {FirstSentence(e.Message)}", e); }
        }
        TaskDefinition? definition;
        try { definition = Yaml.Deserialize<TaskDefinition?>(text); }
        catch (YamlException e)
        {
            string problem = e.InnerException is { } inner and not YamlException ? inner.Message : e.Message;
            // YamlDotNet prefixes "(Lin: 3, Col: 5, ...)": the line goes into our own prefix instead.
            int close = problem.StartsWith("(Lin:", StringComparison.Ordinal) ? problem.IndexOf("): ", StringComparison.Ordinal) : -1;
            if (close >= 0) problem = problem[(close + 3)..];
            if (problem.StartsWith("No node deserializer was able to deserialize the node into type ", StringComparison.Ordinal))
                problem = $"this value has the wrong shape (expected {Expected(problem)})";
            throw new TaskFileException(name, e.Start.Line, problem, e);
        }
        if (definition is null) throw new TaskFileException(name, null, "the file is empty");
        Validate(definition, name);
        return definition;
    }

    private static void Validate(TaskDefinition d, string name)
    {
        void Fail(string problem) => throw new TaskFileException(name, null, problem);
        if (string.IsNullOrWhiteSpace(d.Task)) Fail("'task' (the task's name) is required");
        if (d.Task.Contains(',') || d.Task.Any(char.IsWhiteSpace)) Fail($"task name '{d.Task}' must not contain commas or spaces");
        if (d.Source is null) Fail("'source' is required (with a 'kind')");
        if (!SourceKinds.Contains(d.Source!.Kind)) Fail($"source kind '{d.Source.Kind}' is not one of {string.Join(", ", SourceKinds)}");
        if (d.Source.Kind is "jsonl" or "bsdgames-quiz" or "prose-cloze" or "prose-next-sentence" or "python-doctests" or "text-documents"
            && string.IsNullOrWhiteSpace(d.Source.Path)) Fail($"source kind '{d.Source.Kind}' needs a 'path'");
        if (d.NumFewshot < 0) Fail($"num_fewshot ({d.NumFewshot}) must be >= 0");
        if (d.Source.Choices < 2) Fail($"source.choices ({d.Source.Choices}) must be at least 2");
        if (d.Source.Count < 1) Fail($"source.count ({d.Source.Count}) must be at least 1");
        var g = d.Generation;
        if (g.Samples < 1) Fail($"generation.samples ({g.Samples}) must be at least 1");
        if (g.MaxGenToks < 1) Fail($"generation.max_gen_toks ({g.MaxGenToks}) must be at least 1");
        if (g.PassK.Any(k => k < 1 || k > g.Samples)) Fail($"generation.pass_k ({string.Join(", ", g.PassK)}) must each be in [1, samples = {g.Samples}]");
        if (g.Samples > 1 && g.Temperature <= 0) Fail($"generation.samples is {g.Samples}: several samples need a temperature above 0");
        if (g.TimeoutSeconds <= 0) Fail($"generation.timeout_seconds ({g.TimeoutSeconds}) must be positive");
        if (g.Regex is { } pattern)
        {
            try { _ = new System.Text.RegularExpressions.Regex(pattern); }
            catch (ArgumentException e) { Fail($"generation.regex is not a valid regular expression: {e.Message}"); }
        }
    }

    /// <summary>"System.String, ..." as "text", a generic list as "a list", a number type as "a number".</summary>
    private static string Expected(string problem)
    {
        string type = problem["No node deserializer was able to deserialize the node into type ".Length..];
        if (type.Contains("List`1", StringComparison.Ordinal)) return "a list";
        if (type.StartsWith("System.String", StringComparison.Ordinal)) return "text";
        if (type.StartsWith("System.Int32", StringComparison.Ordinal) || type.StartsWith("System.Double", StringComparison.Ordinal)) return "a number";
        return type.Split(',')[0];
    }

    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();
}
