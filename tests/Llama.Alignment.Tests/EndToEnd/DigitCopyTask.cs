using Llama.Alignment.Data.Synthetic;

namespace Llama.Alignment.Tests.EndToEnd;

/// <summary>
/// A trivial verifiable task a two-layer model learns in seconds and that generalises to held-out items: repeat a
/// three-digit number. Each digit is its own token (the test tokenizer never merges digits), so the rule is "copy the
/// tokens at a fixed distance", which holds for unseen numbers too. Wrong answers: the digits reversed, and "none".
/// </summary>
internal sealed class DigitCopyTask : ITaskSource
{
    public string Name => "copy";

    public IReadOnlyList<TaskItem> Items() =>
        Enumerable.Range(100, 900).Select(n =>
        {
            string answer = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string reversed = new(answer.Reverse().ToArray());
            List<string> wrong = reversed == answer ? ["none"] : [reversed, "none"];
            return new TaskItem($"copy:{answer}", Name, $"Repeat:\n{answer}", answer, [answer], wrong);
        }).ToList();
}
