namespace Llama.Serving.Web;

/// <summary>The chat page (<c>Web/chat.html</c>, embedded in the assembly): talks to <c>/v1/chat/completions</c> with streaming.</summary>
internal static class ChatPage
{
    public static string Html { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(ChatPage).Assembly.GetManifestResourceStream("Llama.Serving.Web.chat.html")
            ?? throw new InvalidOperationException("the embedded chat page is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
