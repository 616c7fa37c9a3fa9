using Llama.Core.Tokenization;

namespace Llama.Alignment.Data;

/// <summary>The checks every conversation passes before it is tokenized, wherever it came from.</summary>
public static class ChatValidation
{
    /// <summary>
    /// A trainable conversation: known Llama 3 roles, no null contents, no empty assistant turn (an empty target
    /// teaches the model to say nothing), and at least one assistant turn.
    /// </summary>
    /// <param name="where">Where the conversation came from, for the message (e.g. <c>sft.jsonl:12</c>).</param>
    /// <exception cref="ChatDataException">The first problem found.</exception>
    public static void Conversation(IReadOnlyList<ChatMessage> messages, string where)
    {
        if (messages.Count == 0) throw new ChatDataException($"{where}: the conversation has no messages");
        Turns(messages, where);
        if (!messages.Any(m => m.Role == "assistant"))
            throw new ChatDataException($"{where}: the conversation has no assistant turn to train on");
    }

    /// <summary>A prompt: known roles, non-null contents, and it must not end with an assistant turn.</summary>
    public static void Prompt(IReadOnlyList<ChatMessage> messages, string where)
    {
        if (messages.Count == 0) throw new ChatDataException($"{where}: the prompt has no messages");
        Turns(messages, where);
        if (messages[^1].Role == "assistant") throw new ChatDataException($"{where}: the prompt ends with an assistant turn; the reply belongs in chosen/rejected");
    }

    /// <summary>A reply (chosen, rejected): present and not blank.</summary>
    public static void Reply(string? reply, string field, string where)
    {
        if (string.IsNullOrWhiteSpace(reply)) throw new ChatDataException($"{where}: '{field}' is empty");
    }

    private static void Turns(IReadOnlyList<ChatMessage> messages, string where)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m is null) throw new ChatDataException($"{where}: messages[{i}] is null");
            if (!Llama3ChatTemplate.Roles.Contains(m.Role))
                throw new ChatDataException($"{where}: messages[{i}] has unknown role '{m.Role}' (Llama 3 roles: {string.Join(", ", Llama3ChatTemplate.Roles)})");
            if (m.Content is null) throw new ChatDataException($"{where}: messages[{i}] ({m.Role}) has no content");
            if (m.Role == "assistant" && string.IsNullOrWhiteSpace(m.Content))
                throw new ChatDataException($"{where}: messages[{i}] is an empty assistant turn");
        }
    }
}
