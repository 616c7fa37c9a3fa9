using Llama.Evaluation.Tasks.Sources;

namespace Llama.Evaluation.Tasks;

/// <summary>
/// Finds tasks by name: the built-in task files (Tasks/Builtin/*.yaml, inside this assembly, reading the held-out
/// data in the repository's <c>data/</c> folder), or a path to a user's task file.
/// </summary>
public sealed class TaskCatalog(string dataDirectory)
{
    private const string ResourcePrefix = "tasks/";

    /// <summary>The folder built-in tasks read from (the repository's data/).</summary>
    public string DataDirectory { get; } = dataDirectory;

    public static IReadOnlyList<string> BuiltinNames { get; } = typeof(TaskCatalog).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Select(n => Path.GetFileNameWithoutExtension(n[ResourcePrefix.Length..]))
        .Order(StringComparer.Ordinal).ToList();

    /// <summary>A task by built-in name, or the task file at that path.</summary>
    public TaskDefinition Get(string nameOrPath)
    {
        if (BuiltinNames.Contains(nameOrPath))
        {
            using var stream = typeof(TaskCatalog).Assembly.GetManifestResourceStream($"{ResourcePrefix}{nameOrPath}.yaml")!;
            var text = new StreamReader(stream).ReadToEnd();
            return TaskFileReader.Parse(text, $"built-in task {nameOrPath}") with { BaseDirectory = DataDirectory };
        }
        if (nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath))
            return TaskFileReader.Read(nameOrPath);
        throw new UnknownTaskException(nameOrPath, BuiltinNames);
    }

    /// <summary>Loads a task's documents from its source.</summary>
    public static TaskDocuments LoadDocuments(TaskDefinition task)
    {
        var source = task.Source;
        string? path = source.Path is null ? null : Path.GetFullPath(Path.Combine(task.BaseDirectory, source.Path));
        return source.Kind switch
        {
            "jsonl" => JsonlSource.Load(path!),
            "bsdgames-quiz" => QuizSource.Load(path!, source),
            "arithmetic" => ArithmeticWordProblems.Load(source),
            "prose-cloze" or "prose-next-sentence" => ProseSource.Load(path!, source),
            "python-doctests" => PythonDoctestSource.Load(path!),
            "text-documents" => TextDocumentSource.Load(path!, source),
            _ => throw new TaskFileException(task.SourceFile ?? task.Task, null, $"unknown source kind '{source.Kind}'"),
        };
    }

    /// <summary>
    /// The repository's data/ folder, found by walking up from the working folder and from this program's folder
    /// (a clone run from anywhere inside it, or the built <c>llama</c> inside the clone).
    /// </summary>
    public static string? FindDataDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "data", "MANIFEST.json")) && Directory.Exists(Path.Combine(dir.FullName, "data", "heldout")))
                    return Path.Combine(dir.FullName, "data");
        return null;
    }
}
