using Llama.Evaluation.Tasks;

namespace Llama.Evaluation.Tests.Tasks;

public sealed class TaskFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llama-eval-tasks-").FullName;

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_yaml_syntax_error_is_reported_with_file_and_line()
    {
        var path = Write("broken.yaml", "task: broken\noutput_type: multiple_choice\nsource:\n  kind: jsonl\n  path: [unclosed\ndoc_to_text: x\n");
        var error = Assert.Throws<TaskFileException>(() => TaskFileReader.Read(path));
        Assert.Equal(path, error.File);
        Assert.InRange(error.Line!.Value, 5, 6);
        Assert.StartsWith($"{path}:{error.Line}:", error.Message);
    }

    [Theory]
    [InlineData("task: t\noutput_type: multiple_choice\ndoc_to_text: \"unclosed\n", 3)]
    [InlineData("task: t\noutput_type: multiple_choice\n  source: : x\n", 3)]
    public void Yaml_scanner_errors_name_the_line(string text, int line)
    {
        var error = Assert.Throws<TaskFileException>(() => TaskFileReader.Parse(text, "t.yaml"));
        Assert.Equal(line, error.Line);
    }

    [Fact]
    public void An_unknown_key_is_reported_with_its_line()
    {
        var path = Write("typo.yaml", "task: typo\noutput_type: multiple_choice\nsource:\n  kind: jsonl\n  path: x.jsonl\ndoc_to_txt: x\n");
        var error = Assert.Throws<TaskFileException>(() => TaskFileReader.Read(path));
        Assert.Equal(6, error.Line);
        Assert.Contains("doc_to_txt", error.Message);
    }

    [Fact]
    public void A_json_syntax_error_is_reported_with_its_line()
    {
        var path = Write("broken.json", "{\n  \"task\": \"j\",\n  \"output_type\": \"multiple_choice\"\n  \"source\": {\"kind\": \"jsonl\"}\n}\n");
        var error = Assert.Throws<TaskFileException>(() => TaskFileReader.Read(path));
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void A_missing_source_path_is_a_clear_error() =>
        Assert.Contains("needs a 'path'", Assert.Throws<TaskFileException>(() =>
            TaskFileReader.Parse("task: t\noutput_type: multiple_choice\nsource:\n  kind: jsonl\n", "t.yaml")).Message);

    [Fact]
    public void Every_builtin_task_parses_and_loads_documents_from_the_repository_data()
    {
        var catalog = new TaskCatalog(Fixtures.DataDirectory);
        Assert.Contains("quiz", TaskCatalog.BuiltinNames);
        foreach (var name in TaskCatalog.BuiltinNames)
        {
            var task = catalog.Get(name);
            Assert.Equal(name, task.Task);
            var documents = TaskCatalog.LoadDocuments(task);
            Assert.NotEmpty(documents.Test);
        }
    }

    [Fact]
    public void A_user_task_in_json_reads_its_own_jsonl_with_templates()
    {
        Write("items.jsonl", "{\"q\": \"2 + 2 =\", \"options\": [\"3\", \"4\"], \"gold\": 1}\n{\"q\": \"3 + 3 =\", \"options\": [\"6\", \"7\"], \"gold\": \"6\"}\n");
        var path = Write("sums.json", "{\"task\": \"sums\", \"output_type\": \"multiple_choice\", \"source\": {\"kind\": \"jsonl\", \"path\": \"items.jsonl\"},\n" +
            " \"doc_to_text\": \"{{q}}\", \"doc_to_target\": \"{{gold}}\", \"doc_to_choice\": \"options\"}");
        var task = new TaskCatalog(Fixtures.DataDirectory).Get(path);
        var documents = TaskCatalog.LoadDocuments(task);
        Assert.Equal(2, documents.Test.Count);
        Assert.Equal("2 + 2 =", documents.Test[0].Render(task.DocToText, "t"));
    }

    [Fact]
    public void An_unknown_task_name_lists_the_known_ones() =>
        Assert.Contains("quiz", Assert.Throws<UnknownTaskException>(() => new TaskCatalog(Fixtures.DataDirectory).Get("no-such-task")).Message);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
