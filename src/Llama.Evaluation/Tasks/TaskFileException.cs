namespace Llama.Evaluation.Tasks;

/// <summary>A task file that cannot be used: the message names the file and, for a syntax or field error, the line.</summary>
public sealed class TaskFileException(string file, long? line, string problem, Exception? inner = null)
    : Exception(line is { } l ? $"{file}:{l}: {problem}" : $"{file}: {problem}", inner)
{
    public string File { get; } = file;
    public long? Line { get; } = line;
}

/// <summary>A task name that no built-in task or task file has.</summary>
public sealed class UnknownTaskException(string name, IEnumerable<string> known)
    : Exception($"unknown task '{name}'; known tasks: {string.Join(", ", known)} (or give the path of a .yaml/.json task file)");
