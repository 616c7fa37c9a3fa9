namespace Llama.Core.Tokenization;

/// <summary>One chat turn: <paramref name="Role"/> is system, user, assistant or ipython (Llama 3.1 tool output).</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>A formatted chat prompt: the template text and its token ids.</summary>
public sealed record ChatPrompt(string Text, IReadOnlyList<int> Ids);
