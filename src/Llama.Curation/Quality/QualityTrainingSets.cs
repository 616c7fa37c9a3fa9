using System.Text.Json;

namespace Llama.Curation.Quality;

/// <summary>
/// Where quality-classifier labels come from. The paper labels with Llama 2 ("would this be referenced by
/// Wikipedia?"); with no such model here, labels come either from a person (<see cref="FromJsonl"/>) or from strict
/// heuristics applied to the corpus itself (<see cref="FromCorpusHeuristics"/>): the classifier then generalises the
/// clear cases to the ambiguous middle, which the heuristics leave unlabelled.
/// </summary>
public static class QualityTrainingSets
{
    /// <summary>
    /// Reads JSON lines <c>{"text": "...", "label": ...}</c>; the label is a boolean, 1/0, or one of
    /// "good"/"high"/"hq" and "bad"/"low"/"lq". Blank lines are skipped.
    /// </summary>
    public static IEnumerable<(string Text, bool Good)> FromJsonl(string path)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            (string, bool) example;
            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                var text = root.GetProperty("text").GetString()
                    ?? throw new FormatException("\"text\" is null");
                example = (text, ParseLabel(root.GetProperty("label")));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
                throw new FormatException($"{path}:{lineNumber}: expected {{\"text\": string, \"label\": good|bad|true|false|1|0}}: {e.Message}", e);
            }
            yield return example;
        }
    }

    /// <summary>
    /// Labels the clear cases among <paramref name="texts"/> with <see cref="QualityHeuristics.Judge"/> (good:
    /// well-formed English prose; bad: navigation, spam, garbled or list-like text) and skips the rest.
    /// </summary>
    public static IEnumerable<(string Text, bool Good)> FromCorpusHeuristics(IEnumerable<string> texts, QualityHeuristics? heuristics = null)
    {
        heuristics ??= new QualityHeuristics();
        foreach (var text in texts)
        {
            var judgement = heuristics.Judge(text);
            if (judgement is not null) yield return (text, judgement.Value);
        }
    }

    private static bool ParseLabel(JsonElement label) => label.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => label.GetDouble() switch
        {
            1 => true,
            0 => false,
            var other => throw new FormatException($"numeric label {other} is not 0 or 1"),
        },
        JsonValueKind.String => label.GetString()!.ToLowerInvariant() switch
        {
            "good" or "high" or "hq" or "true" or "1" => true,
            "bad" or "low" or "lq" or "false" or "0" => false,
            var other => throw new FormatException($"label \"{other}\" is not good/bad"),
        },
        _ => throw new FormatException($"label of kind {label.ValueKind}"),
    };
}
