using Llama.Alignment.Data;

namespace Llama.Alignment.Tests.Data;

public sealed class ChatJsonlTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("llama-align-jsonl-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(params string[] lines)
    {
        string path = Path.Combine(_folder, $"{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Conversations_and_both_preference_forms_are_read()
    {
        var conversations = ChatJsonl.ReadConversations(Write(
            """{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}""",
            "",
            """{"id": "b", "task": "greeting", "messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hey"}]}"""));
        Assert.Equal(2, conversations.Count);
        Assert.Equal("greeting", conversations[1].Task);

        var pairs = ChatJsonl.ReadPreferences(Write(
            """{"prompt": "2+2?", "chosen": "4", "rejected": "5"}""",
            """{"prompt": [{"role": "user", "content": "2+3?"}], "chosen": [{"role": "assistant", "content": "5"}], "rejected": [{"role": "assistant", "content": "6"}]}"""));
        Assert.Equal(["4", "5"], pairs.Select(p => p.Chosen));
        Assert.Equal("user", pairs[0].Prompt[0].Role);
    }

    [Fact]
    public void Written_data_reads_back_unchanged()
    {
        var pairs = new[] { new PreferencePair("p1", "units", [new("user", "Convert 2 m to cm.")], "200", "20") };
        string path = Path.Combine(_folder, "pairs.jsonl");
        ChatJsonl.WritePreferences(path, pairs);
        var back = ChatJsonl.ReadPreferences(path).Single();
        Assert.Equal(("p1", "units", "200", "20"), (back.Id, back.Task, back.Chosen, back.Rejected));
        Assert.Equal(pairs[0].Prompt, back.Prompt);
    }

    [Theory]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hello"}]}""", "unknown role 'bot'")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "   "}]}""", "empty assistant turn")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}]}""", "no assistant turn")]
    [InlineData("""{"messages": [{"role": "user"}]}""", "no string 'content'")]
    [InlineData("""{"text": "Hi"}""", "'messages' is missing")]
    [InlineData("""not json""", "not JSON")]
    public void Malformed_conversations_fail_naming_file_line_and_problem(string badLine, string problem)
    {
        string path = Write("""{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}""", badLine);
        var error = Assert.Throws<ChatDataException>(() => ChatJsonl.ReadConversations(path));
        Assert.Contains($"{path}:2", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("""{"prompt": "Hi", "chosen": "Hello"}""", "'rejected' is missing")]
    [InlineData("""{"prompt": "Hi", "chosen": "", "rejected": "x"}""", "'chosen' is empty")]
    [InlineData("""{"prompt": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}], "chosen": "a", "rejected": "b"}""", "ends with an assistant turn")]
    [InlineData("""{"prompt": [{"role": "narrator", "content": "Hi"}], "chosen": "a", "rejected": "b"}""", "unknown role 'narrator'")]
    public void Malformed_preferences_fail_naming_the_problem(string badLine, string problem)
    {
        var error = Assert.Throws<ChatDataException>(() => ChatJsonl.ReadPreferences(Write(badLine)));
        Assert.Contains(":1", error.Message);
        Assert.Contains(problem, error.Message);
    }
}
