namespace Llama.Evaluation.Tasks;

/// <summary>What a task asks of the model (lm-evaluation-harness <c>output_type</c>).</summary>
public enum OutputType { MultipleChoice, LoglikelihoodRolling, GenerateUntil }

/// <summary>How a generated answer is checked.</summary>
public enum AnswerMatch { Exact, Numeric, Execution }

/// <summary>
/// One evaluation task as a task file states it (YAML or JSON, docs/EVALUATION.md): where its documents come from,
/// how a document becomes a prompt, a target and choices (<c>{{field}}</c> templates, as the harness's
/// <c>doc_to_text</c> / <c>doc_to_target</c> / <c>doc_to_choice</c>), and how answers are scored.
/// </summary>
public sealed record TaskDefinition
{
    public required string Task { get; init; }
    public string Description { get; init; } = "";
    public OutputType OutputType { get; init; }
    public required TaskSource Source { get; init; }
    public string DocToText { get; init; } = "{{text}}";
    /// <summary>Multiple choice: the gold index or the gold choice's text; generation: the reference answer.</summary>
    public string DocToTarget { get; init; } = "{{answer}}";
    /// <summary>The target few-shot examples show (e.g. a worked answer where only its number is scored); default: <see cref="DocToTarget"/>.</summary>
    public string? FewshotTarget { get; init; }
    /// <summary>Multiple choice: the name of the document field that holds the list of choices.</summary>
    public string DocToChoice { get; init; } = "choices";
    public string TargetDelimiter { get; init; } = " ";
    public string FewshotDelimiter { get; init; } = "\n\n";
    public int NumFewshot { get; init; }
    public GenerationSettings Generation { get; init; } = new();
    /// <summary>The file it was read from (null for a definition built in code).</summary>
    [YamlDotNet.Serialization.YamlIgnore] public string? SourceFile { get; init; }
    /// <summary>What relative source paths are resolved against: the data folder for built-in tasks, the task file's folder otherwise.</summary>
    [YamlDotNet.Serialization.YamlIgnore] public string BaseDirectory { get; init; } = ".";
}

/// <summary>Where documents come from: a <see cref="Kind"/> of source and its settings (paths relative to the data folder, or to the task file for user tasks).</summary>
public sealed record TaskSource
{
    /// <summary>jsonl, bsdgames-quiz, arithmetic, prose-cloze, prose-next-sentence, python-doctests, text-documents.</summary>
    public required string Kind { get; init; }
    public string? Path { get; init; }
    /// <summary>Choices per multiple-choice item (the gold one and distractors from the same column).</summary>
    public int Choices { get; init; } = 4;
    /// <summary>Items to generate (generated sources) or to cut from prose.</summary>
    public int Count { get; init; } = 200;
    public int Seed { get; init; } = 1234;
    /// <summary>text-documents: the field holding the text (jsonl) and the field to report per group (domain, language).</summary>
    public string TextField { get; init; } = "text";
    public string? GroupBy { get; init; }
    /// <summary>Quiz files to use (default: all with enough distinct answers).</summary>
    public List<string> Files { get; init; } = []; // List, not IReadOnlyList: YamlDotNet fills only concrete lists
}

/// <summary><c>generate_until</c> settings, and how the answer is extracted and checked.</summary>
public sealed record GenerationSettings
{
    public List<string> Until { get; init; } = ["\n\n"];
    public int MaxGenToks { get; init; } = 64;
    /// <summary>Regex whose first group (or whole match) is the answer; null keeps the whole generation.</summary>
    public string? Regex { get; init; }
    public AnswerMatch Match { get; init; } = AnswerMatch.Exact;
    /// <summary>Samples per document (n of pass@k); the first is greedy when <see cref="Temperature"/> is 0.</summary>
    public int Samples { get; init; } = 1;
    public double Temperature { get; init; }
    /// <summary>The k of pass@k to report (each at most <see cref="Samples"/>).</summary>
    public List<int> PassK { get; init; } = [1];
    /// <summary>Execution checks: wall-clock limit per program.</summary>
    public double TimeoutSeconds { get; init; } = 5;
}
