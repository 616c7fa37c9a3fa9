using System.Text.Json;
using Llama.Curation.Documents;

namespace Llama.Curation.Ingest;

/// <summary>
/// One JSONL record: <c>text</c> (required string), and optional <c>id</c> (string or number), <c>url</c>,
/// <c>timestamp</c> (ISO 8601), <c>source</c>, <c>lang</c>. Nulls count as absent.
/// </summary>
internal static class JsonLinesRecord
{
    /// <summary>The document of one line, or null with what was wrong in <paramref name="problem"/>.</summary>
    /// <param name="line">The line's bytes, already checked to be valid UTF-8.</param>
    /// <param name="file">The file, for the default source and id.</param>
    /// <param name="lineNumber">1-based, for the default id <c>source/path:line</c>.</param>
    public static CurationDocument? TryParse(ReadOnlyMemory<byte> line, InputFile file, long lineNumber, out string? problem)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Fail($"expected a JSON object, found {root.ValueKind}", out problem);
            if (!root.TryGetProperty("text", out var textElement) || textElement.ValueKind != JsonValueKind.String)
                return Fail("no string field 'text'", out problem);

            var source = OptionalString(root, "source") ?? file.Source;
            var recordId = root.TryGetProperty("id", out var idElement) ? idElement.ValueKind switch
            {
                JsonValueKind.String => idElement.GetString(),
                JsonValueKind.Number => idElement.GetRawText(),
                _ => null,
            } : null;
            // Record ids are unique within a source at best, so the source prefixes them as it prefixes paths.
            var id = recordId is null ? $"{file.IdPath}:{lineNumber}" : $"{source}/{recordId}";

            DateTime? timestamp = null;
            if (OptionalString(root, "timestamp") is { } timestampText)
            {
                if (!IsoTimestamp.TryParse(timestampText, out var parsed))
                    return Fail($"'timestamp' is not an ISO 8601 date: '{timestampText}'", out problem);
                timestamp = parsed;
            }

            problem = null;
            return new CurationDocument(id, StrictUtf8.NormalizeLineEnds(textElement.GetString()!), source)
            {
                Url = OptionalString(root, "url"),
                Timestamp = timestamp,
                Language = OptionalString(root, "lang"),
            };
        }
        catch (JsonException e)
        {
            return Fail($"invalid JSON: {e.Message}", out problem);
        }
        catch (InvalidOperationException e) // a string with a lone surrogate escape, e.g. "\ud800"
        {
            return Fail($"invalid JSON string: {e.Message}", out problem);
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String
            ? element.GetString()
            : null;

    private static CurationDocument? Fail(string message, out string? problem)
    {
        problem = message;
        return null;
    }
}
