using System.Globalization;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// Metric unit conversion to the smaller unit ("Convert 7 km to m." -> "7000"): 1 to 99 in six conversions by 10, 100
/// or 1000. Wrong answers lead with the near misses a small model makes after SFT — the power of ten right, the number
/// off by one ("Convert 28 m to cm." -> "2700" or "2900"): Llama 3's tokenizer splits "2800" into "280" "0", so the reply must
/// map the question's token "28" to the token "280" rather than copy it, and that mapping is what the tiny model gets
/// wrong (docs/BENCHMARKS.md) — then a wrong power of ten, the other neighbour, the remaining powers, and no conversion.
/// </summary>
public sealed class UnitConversionTask : ITaskSource
{
    private static readonly (string From, string To, int Factor)[] Conversions =
    [
        ("km", "m", 1000), ("m", "cm", 100), ("cm", "mm", 10), ("kg", "g", 1000), ("l", "ml", 1000), ("m", "mm", 1000),
    ];

    public string Name => "units";

    public IReadOnlyList<TaskItem> Items()
    {
        var items = new List<TaskItem>();
        foreach (var (from, to, factor) in Conversions)
            for (int value = 1; value <= 99; value++)
            {
                string answer = Text(value * factor);
                int near = Neighbour(value, first: true), other = Neighbour(value, first: false), nearPower = NearestWrongPower(factor);
                var wrong = new List<string> { Text(near * factor), Text(value * nearPower) };
                if (other != near) wrong.Add(Text(other * factor));
                wrong.AddRange(new[] { 10, 100, 1000, 10000 }.Where(f => f != factor && f != nearPower).Select(f => Text(value * f)));
                wrong.Add(Text(value));
                items.Add(new TaskItem($"{Name}:{value}{from}-{to}", Name, $"Convert {value} {from} to {to}.", answer, [answer], wrong));
            }
        return items;
    }

    /// <summary>
    /// value + 1 for odd values, value - 1 for even ones (the first neighbour), the other one second; both stay in
    /// 1..99. Alternating the direction keeps "prefer the smaller number" from being a shortcut through the pairs.
    /// </summary>
    private static int Neighbour(int value, bool first)
    {
        int up = value + 1, down = value - 1;
        bool upFirst = value % 2 == 1;
        int preferred = first == upFirst ? up : down, fallback = first == upFirst ? down : up;
        return preferred is >= 1 and <= 99 ? preferred : fallback;
    }

    /// <summary>One zero short, or one too many where the factor is 10.</summary>
    private static int NearestWrongPower(int factor) => factor == 10 ? 100 : factor / 10;

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
