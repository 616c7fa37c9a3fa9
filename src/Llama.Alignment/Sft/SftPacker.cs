using Llama.Alignment.Data;

namespace Llama.Alignment.Sft;

/// <summary>One packed row: several conversations back to back, each with its own document id (pads: −1).</summary>
public sealed record PackedRow(int[] Ids, bool[] Targets, int[] DocumentIds);

/// <summary>
/// Packs conversations into rows of a fixed length, first fit in the given order, so short examples do not waste a
/// whole row of padding. Each conversation keeps its own document id: the model's document mask (Llama 3 section
/// 3.2) stops attention across examples and positions restart at 0 in each, so a packed example trains as if alone.
/// </summary>
public static class SftPacker
{
    public static List<PackedRow> Pack(IReadOnlyList<EncodedConversation> examples, int rowLength, int padId)
    {
        var rows = new List<(List<int> Ids, List<bool> Targets, List<int> Docs)>();
        foreach (var e in examples)
        {
            if (e.Ids.Length > rowLength) throw new ArgumentException($"{e.Id}: {e.Ids.Length} tokens exceed the row length {rowLength}; fit the examples to the context first");
            var row = rows.FirstOrDefault(r => r.Ids.Count + e.Ids.Length <= rowLength);
            if (row.Ids is null)
            {
                row = ([], [], []);
                rows.Add(row);
            }
            int document = row.Docs.Count == 0 ? 0 : row.Docs[^1] + 1;
            row.Ids.AddRange(e.Ids);
            row.Targets.AddRange(e.Targets);
            row.Docs.AddRange(Enumerable.Repeat(document, e.Ids.Length));
        }
        return rows.Select(r =>
        {
            int pad = rowLength - r.Ids.Count;
            return new PackedRow([.. r.Ids, .. Enumerable.Repeat(padId, pad)], [.. r.Targets, .. Enumerable.Repeat(false, pad)],
                [.. r.Docs, .. Enumerable.Repeat(-1, pad)]);
        }).ToList();
    }
}
