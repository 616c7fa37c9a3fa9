using System.Text.RegularExpressions;

namespace Llama.Evaluation.Tasks;

/// <summary>
/// One item of a task: named fields (text, numbers, lists of text) that the task file's templates refer to as
/// <c>{{field}}</c>. <see cref="Id"/> says where it came from.
/// </summary>
public sealed partial class EvalDocument(string id, IReadOnlyDictionary<string, object> fields)
{
    public string Id { get; } = id;
    public IReadOnlyDictionary<string, object> Fields { get; } = fields;

    /// <summary>Fills <c>{{field}}</c> placeholders; a missing field is an error naming the template and the document.</summary>
    public string Render(string template, string what) => Placeholder().Replace(template, m =>
    {
        string name = m.Groups[1].Value;
        if (!Fields.TryGetValue(name, out var value))
            throw new TaskFileException(what, null, $"the template '{template}' refers to field '{name}', which document {Id} lacks (fields: {string.Join(", ", Fields.Keys)})");
        return value switch
        {
            IReadOnlyList<string> list => string.Join(", ", list),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    });

    /// <summary>The list a <c>doc_to_choice</c> names.</summary>
    public IReadOnlyList<string> List(string field, string what) =>
        Fields.TryGetValue(field.Trim().Trim('{', '}').Trim(), out var value) && value is IReadOnlyList<string> list
            ? list
            : throw new TaskFileException(what, null, $"doc_to_choice '{field}' must name a list field; document {Id} has none such (fields: {string.Join(", ", Fields.Keys)})");

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")]
    private static partial Regex Placeholder();
}

/// <summary>A task's documents: the ones scored, and the pool few-shot examples are drawn from (never the scored ones).</summary>
public sealed record TaskDocuments(IReadOnlyList<EvalDocument> Test, IReadOnlyList<EvalDocument> Fewshot);
