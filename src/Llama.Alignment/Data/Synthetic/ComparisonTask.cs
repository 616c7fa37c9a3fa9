using System.Globalization;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// Which of two two-digit numbers is larger ("Which is larger: 37 or 73?" -> "73"): 8,010 questions whose first
/// preference pair is the decision itself, the larger number against the smaller. The rule (compare the tens, then the
/// units) is the same for every item, so what a model learns from the training pairs can carry to held-out ones. The
/// second wrong answer, the sum (larger than both, and not in the question), closes the shortcut "a larger number is
/// better": trained on the first pairs alone, DPO learnt to answer 91 or 98 whatever was asked (docs/BENCHMARKS.md).
/// </summary>
public sealed class ComparisonTask : ITaskSource
{
    public string Name => "compare";

    public IReadOnlyList<TaskItem> Items()
    {
        var items = new List<TaskItem>();
        for (int a = 10; a <= 99; a++)
            for (int b = 10; b <= 99; b++)
            {
                if (a == b) continue;
                string larger = Text(Math.Max(a, b)), smaller = Text(Math.Min(a, b));
                items.Add(new TaskItem($"{Name}:{a}-{b}", Name, $"Which is larger: {a} or {b}?", larger, [larger], [smaller, Text(a + b)]));
            }
        return items;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
