using Llama.Core.Tokenization;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// The tasks an alignment run trains and measures on, with the held-out split applied: training data (SFT examples,
/// preference pairs, prompts for rejection sampling) comes only from the training side, measurements only from the
/// held-out side.
/// </summary>
public sealed class TaskSuite
{
    /// <summary>Task names <see cref="Create"/> knows; the last three read files under the data folder.</summary>
    public static IReadOnlyList<string> Known { get; } = ["arithmetic", "units", "compare", "quiz", "python-faq", "doctest"];

    private readonly Dictionary<string, IReadOnlyList<TaskItem>> _items;

    public TaskSuite(IEnumerable<ITaskSource> sources, double heldOutFraction = HeldOutSplit.DefaultFraction)
    {
        HeldOutFraction = heldOutFraction;
        _items = sources.ToDictionary(s => s.Name, s => s.Items());
    }

    public double HeldOutFraction { get; }
    public IReadOnlyList<string> Tasks => [.. _items.Keys];

    /// <summary>
    /// The named tasks. <paramref name="dataFolder"/> holds <c>bsdgames-quiz.jsonl</c>, <c>python-faq.jsonl</c> and
    /// <c>python-doctests.jsonl</c> (the repository's <c>data/heldout</c>).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown task, or a task whose file is missing.</exception>
    public static TaskSuite Create(IEnumerable<string> names, string dataFolder, double heldOutFraction = HeldOutSplit.DefaultFraction)
    {
        var sources = new List<ITaskSource>();
        foreach (var name in names.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct())
        {
            sources.Add(name switch
            {
                "arithmetic" => new ArithmeticTask(),
                "units" => new UnitConversionTask(),
                "compare" => new ComparisonTask(),
                "quiz" => new QuizTask(DataFile(dataFolder, "bsdgames-quiz.jsonl", name)),
                "python-faq" => new PythonFaqTask(DataFile(dataFolder, "python-faq.jsonl", name)),
                "doctest" => new DoctestOutputTask(DataFile(dataFolder, "python-doctests.jsonl", name)),
                _ => throw new ArgumentException($"unknown task '{name}'; known tasks: {string.Join(", ", Known)}"),
            });
        }
        if (sources.Count == 0) throw new ArgumentException("no task named");
        return new TaskSuite(sources, heldOutFraction);
    }

    public IReadOnlyList<TaskItem> Items(string task, bool heldOut) =>
        _items[task].Where(i => HeldOutSplit.IsHeldOut(i.Id, HeldOutFraction) == heldOut).ToList();

    /// <summary>Up to <paramref name="perTask"/> items of each task from one side of the split, shuffled by <paramref name="seed"/>.</summary>
    public IEnumerable<TaskItem> Sample(bool heldOut, int perTask, int seed) =>
        _items.Keys.SelectMany(task =>
        {
            var items = Items(task, heldOut).ToArray();
            new Random(seed).Shuffle(items);
            return items.Take(perTask);
        });

    public static ChatExample ToExample(TaskItem item) =>
        new(item.Id, item.Task, [new ChatMessage("user", item.Question), new ChatMessage("assistant", item.Answer)]);

    /// <summary>The correct answer preferred over each of the item's wrong answers (up to <paramref name="perItem"/>).</summary>
    public static IEnumerable<PreferencePair> ToPairs(TaskItem item, int perItem) =>
        item.WrongAnswers.Take(perItem).Select((wrong, k) =>
            new PreferencePair($"{item.Id}#{k}", item.Task, [new ChatMessage("user", item.Question)], item.Answer, wrong));

    public static TaskPrompt ToPrompt(TaskItem item) =>
        new(item.Id, item.Task, [new ChatMessage("user", item.Question)], item.Accepted);

    private static string DataFile(string folder, string file, string task)
    {
        string path = Path.Combine(folder, file);
        return File.Exists(path) ? path : throw new ArgumentException($"task '{task}' needs {path}; point --data-dir at the repository's data/heldout");
    }
}
