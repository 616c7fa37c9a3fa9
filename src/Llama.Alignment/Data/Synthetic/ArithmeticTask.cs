using System.Globalization;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// Single-digit addition, subtraction (non-negative results) and multiplication: 255 questions with verifiable
/// answers. Wrong answers for preference pairs are the near misses a model makes: off by one or two, or the result of
/// the wrong operation.
/// </summary>
public sealed class ArithmeticTask : ITaskSource
{
    public string Name => "arithmetic";

    public IReadOnlyList<TaskItem> Items()
    {
        var items = new List<TaskItem>();
        for (int a = 0; a <= 9; a++)
            for (int b = 0; b <= 9; b++)
            {
                items.Add(Item(a, '+', b, a + b, [a + b + 1, Math.Abs(a + b - 1), a * b, a + b + 2]));
                items.Add(Item(a, 'x', b, a * b, [a * b + 1, a + b, Math.Abs(a * b - 1), a * b + a]));
                if (a >= b) items.Add(Item(a, '-', b, a - b, [a - b + 1, a + b, a - b + 2]));
            }
        return items;
    }

    private TaskItem Item(int a, char op, int b, int result, int[] near)
    {
        string answer = result.ToString(CultureInfo.InvariantCulture);
        var wrong = near.Where(n => n != result).Distinct().Select(n => n.ToString(CultureInfo.InvariantCulture)).ToList();
        string symbol = op == 'x' ? "*" : op.ToString();
        return new TaskItem($"{Name}:{a}{op}{b}", Name, $"What is {a} {symbol} {b}?", answer, [answer], wrong);
    }
}
