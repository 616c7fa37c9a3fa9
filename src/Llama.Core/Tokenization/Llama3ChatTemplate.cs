using System.Text;

namespace Llama.Core.Tokenization;

/// <summary>
/// Llama 3's chat layout: <c>&lt;|begin_of_text|&gt;</c>, then per message
/// <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content.Trim()}&lt;|eot_id|&gt;</c>, and for
/// generation an open assistant header (Meta's llama3 <c>ChatFormat</c>; the Jinja template in
/// <see cref="JinjaTemplate"/> is the one transformers ships for Llama 3 Instruct).
/// </summary>
public static class Llama3ChatTemplate
{
    /// <summary>Roles Llama 3.1 knows (ipython carries tool results).</summary>
    public static IReadOnlyList<string> Roles { get; } = ["system", "user", "assistant", "ipython"];

    /// <summary>The Llama 3 Instruct <c>chat_template</c> of <c>tokenizer_config.json</c> (Jinja).</summary>
    public const string JinjaTemplate =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    /// <summary>The prompt text for <paramref name="messages"/>.</summary>
    /// <exception cref="ArgumentException">A role is not one of <see cref="Roles"/> or a content is null.</exception>
    public static string Format(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        Validate(messages);
        var sb = new StringBuilder(Llama3SpecialTokens.BeginOfText);
        foreach (var m in messages)
        {
            sb.Append(Llama3SpecialTokens.StartHeader).Append(m.Role).Append(Llama3SpecialTokens.EndHeader)
              .Append("\n\n").Append(m.Content.Trim()).Append(Llama3SpecialTokens.EndOfTurn);
        }
        if (addGenerationPrompt)
            sb.Append(Llama3SpecialTokens.StartHeader).Append("assistant").Append(Llama3SpecialTokens.EndHeader).Append("\n\n");
        return sb.ToString();
    }

    /// <summary>
    /// The prompt text and ids. Structure tokens become special ids; roles and contents are encoded as plain
    /// text, so a message that contains e.g. "&lt;|eot_id|&gt;" cannot forge a turn boundary. For contents
    /// without special strings the ids equal <c>tokenizer.Encode(Format(...))</c> with specials allowed.
    /// </summary>
    public static ChatPrompt Encode(Llama3Tokenizer tokenizer, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var text = Format(messages, addGenerationPrompt);
        var ids = new List<int> { tokenizer.BosId };
        foreach (var m in messages)
            AppendTurn(ids, tokenizer, m.Role, m.Content.Trim(), closeTurn: true);
        if (addGenerationPrompt)
            AppendTurn(ids, tokenizer, "assistant", "", closeTurn: false);
        return new ChatPrompt(text, ids);
    }

    private static void AppendTurn(List<int> ids, Llama3Tokenizer tokenizer, string role, string content, bool closeTurn)
    {
        ids.Add(tokenizer.StartHeaderId);
        ids.AddRange(tokenizer.Encode(role, allowSpecial: false));
        ids.Add(tokenizer.EndHeaderId);
        // "\n\n" and the content form one text segment between specials, exactly as whole-string encoding sees them.
        ids.AddRange(tokenizer.Encode("\n\n" + content, allowSpecial: false));
        if (closeTurn) ids.Add(tokenizer.EotId);
    }

    private static void Validate(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw new ArgumentException($"messages[{i}] is null.", nameof(messages));
            if (!Roles.Contains(m.Role))
                throw new ArgumentException(
                    $"messages[{i}].Role is '{m.Role}'; Llama 3 roles are {string.Join(", ", Roles)}.", nameof(messages));
            if (m.Content is null)
                throw new ArgumentException($"messages[{i}].Content is null.", nameof(messages));
        }
    }
}
