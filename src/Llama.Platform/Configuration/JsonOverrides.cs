using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llama.Platform.Configuration;

/// <summary>
/// CLI overrides of a typed config: <c>--set schedule.peakLearningRate=1e-3 --set evalEvery=10</c>. The config is
/// serialized, each dotted path set (the value read as JSON when it parses — numbers, booleans, arrays, objects —
/// else as a string), and the result read back through the same serializer, so an override obeys the same types and
/// validation as the JSON file.
/// </summary>
public static class JsonOverrides
{
    public static T Apply<T>(T config, IEnumerable<string> assignments, JsonSerializerOptions options)
    {
        var list = assignments.ToList();
        if (list.Count == 0) return config;
        var root = JsonSerializer.SerializeToNode(config, options)?.AsObject()
                   ?? throw new InvalidOperationException("the config did not serialize to a JSON object");
        foreach (var assignment in list)
        {
            int equals = assignment.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"--set '{assignment}': expected path=value, e.g. schedule.peakLearningRate=1e-3");
            string path = assignment[..equals].Trim(), text = assignment[(equals + 1)..];
            var segments = path.Split('.');
            JsonObject node = root;
            for (int i = 0; i < segments.Length - 1; i++)
                node = node[segments[i]] as JsonObject
                       ?? throw new ArgumentException($"--set '{path}': '{string.Join('.', segments[..(i + 1)])}' is not a section of the config");
            if (!node.ContainsKey(segments[^1]))
                throw new ArgumentException($"--set '{path}': no such setting (known here: {string.Join(", ", node.Select(p => p.Key))})");
            node[segments[^1]] = ParseValue(text);
        }
        try
        {
            return root.Deserialize<T>(options) ?? throw new ArgumentException("--set produced an empty config");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"--set: {e.Path?.TrimStart('$', '.')}: {e.Message}", e);
        }
    }

    private static JsonNode? ParseValue(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return JsonValue.Create(text); }
    }
}
