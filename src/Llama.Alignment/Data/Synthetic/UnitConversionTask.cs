using System.Globalization;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// Metric unit conversion to the smaller unit ("Convert 7 km to m." -> "7000"): 1 to 99 in six conversions by 10, 100
/// or 1000. Wrong answers use a wrong power of ten or drop the conversion.
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
                var wrong = new[] { 10, 100, 1000, 10000 }.Where(f => f != factor).Select(f => Text(value * f)).Append(Text(value)).ToList();
                items.Add(new TaskItem($"{Name}:{value}{from}-{to}", Name, $"Convert {value} {from} to {to}.", answer, [answer], wrong));
            }
        return items;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
