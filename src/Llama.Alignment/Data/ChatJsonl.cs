using System.Text;
using System.Text.Json;
using Llama.Core.Tokenization;

namespace Llama.Alignment.Data;

/// <summary>
/// Users' own data as JSON Lines, one object per line (blank lines skipped):
/// <list type="bullet">
/// <item>conversations for SFT: <c>{"messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]}</c>;</item>
/// <item>preferences for the reward model and DPO: <c>{"prompt": "..." | [messages], "chosen": "..." | [assistant message],
/// "rejected": "..." | [assistant message]}</c> (TRL's standard and conversational forms).</item>
/// </list>
/// Optional <c>id</c> and <c>task</c> fields are kept. A malformed line stops the read with a
/// <see cref="ChatDataException"/> naming the file and line: silently dropping a user's data hides their mistake.
/// </summary>
public static class ChatJsonl
{
    public static IReadOnlyList<ChatExample> ReadConversations(string path) =>
        ReadLines(path, (root, where, line) =>
        {
            var messages = Messages(Required(root, "messages", where), "messages", where);
            ChatValidation.Conversation(messages, where);
            return new ChatExample(OptionalString(root, "id") ?? $"{Path.GetFileName(path)}:{line}", OptionalString(root, "task") ?? "jsonl", messages);
        });

    public static IReadOnlyList<PreferencePair> ReadPreferences(string path) =>
        ReadLines(path, (root, where, line) =>
        {
            var promptElement = Required(root, "prompt", where);
            var prompt = promptElement.ValueKind == JsonValueKind.String
                ? [new ChatMessage("user", promptElement.GetString()!)]
                : Messages(promptElement, "prompt", where);
            ChatValidation.Prompt(prompt, where);
            string chosen = Reply(Required(root, "chosen", where), "chosen", where);
            string rejected = Reply(Required(root, "rejected", where), "rejected", where);
            return new PreferencePair(OptionalString(root, "id") ?? $"{Path.GetFileName(path)}:{line}", OptionalString(root, "task") ?? "jsonl", prompt, chosen, rejected);
        });

    public static void WriteConversations(string path, IEnumerable<ChatExample> examples) =>
        WriteLines(path, examples.Select(e => (object)new { id = e.Id, task = e.Task, messages = e.Messages.Select(m => new { role = m.Role, content = m.Content }) }));

    public static void WritePreferences(string path, IEnumerable<PreferencePair> pairs) =>
        WriteLines(path, pairs.Select(p => (object)new
        {
            id = p.Id, task = p.Task, prompt = p.Prompt.Select(m => new { role = m.Role, content = m.Content }), chosen = p.Chosen, rejected = p.Rejected,
        }));

    private static List<T> ReadLines<T>(string path, Func<JsonElement, string, int, T> parse)
    {
        if (!File.Exists(path)) throw new ChatDataException($"{path}: file not found");
        var result = new List<T>();
        int line = 0;
        foreach (var text in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            string where = $"{path}:{line}";
            JsonDocument document;
            try { document = JsonDocument.Parse(text); }
            catch (JsonException e) { throw new ChatDataException($"{where}: not JSON ({e.Message})"); }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ChatDataException($"{where}: each line must be a JSON object");
                result.Add(parse(document.RootElement, where, line));
            }
        }
        if (result.Count == 0) throw new ChatDataException($"{path}: no records");
        return result;
    }

    private static void WriteLines(string path, IEnumerable<object> records)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        string temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
            foreach (var record in records) writer.WriteLine(JsonSerializer.Serialize(record));
        File.Move(temporary, path, overwrite: true);
    }

    private static JsonElement Required(JsonElement root, string name, string where) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : throw new ChatDataException($"{where}: '{name}' is missing");

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<ChatMessage> Messages(JsonElement array, string field, string where)
    {
        if (array.ValueKind != JsonValueKind.Array) throw new ChatDataException($"{where}: '{field}' must be an array of {{role, content}} objects");
        var messages = new List<ChatMessage>();
        foreach (var item in array.EnumerateArray())
        {
            int i = messages.Count;
            if (item.ValueKind != JsonValueKind.Object) throw new ChatDataException($"{where}: {field}[{i}] is not an object");
            string? role = OptionalString(item, "role") ?? throw new ChatDataException($"{where}: {field}[{i}] has no 'role'");
            string? content = OptionalString(item, "content") ?? throw new ChatDataException($"{where}: {field}[{i}] has no string 'content'");
            messages.Add(new ChatMessage(role, content));
        }
        return messages;
    }

    /// <summary>A reply as a plain string or as a one-message assistant list.</summary>
    private static string Reply(JsonElement element, string field, string where)
    {
        string? text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        if (element.ValueKind == JsonValueKind.Array)
        {
            var messages = Messages(element, field, where);
            if (messages.Count != 1 || messages[0].Role != "assistant")
                throw new ChatDataException($"{where}: '{field}' must be a string or a single assistant message");
            text = messages[0].Content;
        }
        ChatValidation.Reply(text, field, where);
        return text!;
    }
}
