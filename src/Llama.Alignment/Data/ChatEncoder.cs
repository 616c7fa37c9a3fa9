using Llama.Core.Tokenization;

namespace Llama.Alignment.Data;

/// <summary>A tokenized conversation: ids, and which of them are training targets (assistant content and its eot).</summary>
public sealed record EncodedConversation(string Id, int[] Ids, bool[] Targets);

/// <summary>
/// A tokenized preference: the prompt (ending in the open assistant header) and both replies, each reply ending in
/// <c>&lt;|eot_id|&gt;</c>; prompt + reply are exactly the ids of the whole conversation. <see cref="Task"/> is the
/// pair's task, carried so that held-out metrics can be split by it.
/// </summary>
public sealed record EncodedPreference(string Id, string Task, int[] Prompt, int[] Chosen, int[] Rejected);

/// <summary>
/// Turns conversations into ids in the Llama 3 chat template (<see cref="Llama3ChatTemplate"/>) and marks the
/// assistant tokens: the SFT loss is computed on "assistant tokens only" (Llama 3 paper section 4.1.3), i.e. each
/// assistant turn's content and its closing <c>&lt;|eot_id|&gt;</c> (the model must learn to stop); system and user
/// turns and the header tokens are context.
/// </summary>
public sealed class ChatEncoder(Llama3Tokenizer tokenizer)
{
    public Llama3Tokenizer Tokenizer { get; } = tokenizer;

    public EncodedConversation Encode(ChatExample example)
    {
        ChatValidation.Conversation(example.Messages, example.Id);
        var ids = new List<int> { Tokenizer.BosId };
        var targets = new List<bool> { false };
        foreach (var message in example.Messages)
        {
            int start = ids.Count;
            AppendHeader(ids, message.Role);
            targets.AddRange(Enumerable.Repeat(false, ids.Count - start));
            var content = ContentIds(message.Content);
            ids.AddRange(content);
            ids.Add(Tokenizer.EotId);
            bool trained = message.Role == "assistant";
            targets.AddRange(Enumerable.Repeat(trained, content.Count + 1));
        }
        return new EncodedConversation(example.Id, [.. ids], [.. targets]);
    }

    /// <summary>The prompt ids with the open assistant header, ready for generation (the chat template's add_generation_prompt).</summary>
    public int[] EncodePrompt(IReadOnlyList<ChatMessage> prompt)
    {
        var ids = new List<int> { Tokenizer.BosId };
        foreach (var message in prompt)
        {
            AppendHeader(ids, message.Role);
            ids.AddRange(ContentIds(message.Content));
            ids.Add(Tokenizer.EotId);
        }
        AppendHeader(ids, "assistant");
        return [.. ids];
    }

    /// <summary>A reply's ids as they follow the open assistant header: the content, then <c>&lt;|eot_id|&gt;</c>.</summary>
    public int[] EncodeReply(string reply) => [.. ContentIds(reply), Tokenizer.EotId];

    public EncodedPreference Encode(PreferencePair pair)
    {
        ChatValidation.Prompt(pair.Prompt, pair.Id);
        ChatValidation.Reply(pair.Chosen, "chosen", pair.Id);
        ChatValidation.Reply(pair.Rejected, "rejected", pair.Id);
        return new EncodedPreference(pair.Id, pair.Task, EncodePrompt(pair.Prompt), EncodeReply(pair.Chosen), EncodeReply(pair.Rejected));
    }

    /// <summary>Decodes generated reply ids up to (not including) the first eot.</summary>
    public string DecodeReply(IReadOnlyList<int> ids)
    {
        int end = 0;
        while (end < ids.Count && ids[end] != Tokenizer.EotId && ids[end] != Tokenizer.EosId) end++;
        return Tokenizer.Decode(ids.Take(end).Where(id => !Tokenizer.IsSpecial(id))).Trim();
    }

    private void AppendHeader(List<int> ids, string role)
    {
        ids.Add(Tokenizer.StartHeaderId);
        ids.AddRange(Tokenizer.Encode(role, allowSpecial: false));
        ids.Add(Tokenizer.EndHeaderId);
        ids.AddRange(HeaderNewlines);
    }

    /// <summary>
    /// The content's ids as they appear after the header's "\n\n". The template encodes "\n\n" + content as one text
    /// segment; Llama 3's split pattern always cuts after a run of newlines, so those ids are the ids of "\n\n" followed
    /// by the content's own, which this checks rather than assumes.
    /// </summary>
    private IReadOnlyList<int> ContentIds(string content)
    {
        var whole = Tokenizer.Encode("\n\n" + content.Trim(), allowSpecial: false);
        var newlines = HeaderNewlines;
        if (whole.Count < newlines.Count || !whole.Take(newlines.Count).SequenceEqual(newlines))
            throw new ChatDataException($"content '{Shorten(content)}' does not tokenize as a separate piece after the header's newlines");
        return whole.Skip(newlines.Count).ToArray();
    }

    private IReadOnlyList<int> HeaderNewlines => _newlines ??= Tokenizer.Encode("\n\n", allowSpecial: false);
    private IReadOnlyList<int>? _newlines;

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
