namespace Llama.Curation.Pipeline;

/// <summary>Adds up the reports of one stage over shards (each shard's numbers are saved with it, so a resumed run still reports everything).</summary>
public static class StageReportMerge
{
    public static StageReport Merge(string stage, IEnumerable<StageReport> reports, int examplesPerReason = 3)
    {
        var list = reports.ToList();
        return new StageReport(stage,
            list.Sum(r => r.DocumentsIn), list.Sum(r => r.DocumentsKept), list.Sum(r => r.DocumentsModified),
            list.Sum(r => r.DocumentsDropped), list.Sum(r => r.BytesIn), list.Sum(r => r.BytesOut), list.Sum(r => r.Seconds),
            Sum(list.Select(r => r.DroppedByReason)), Sum(list.Select(r => r.DroppedBySource)), Sum(list.Select(r => r.DroppedByLanguage)),
            list.SelectMany(r => r.Examples)
                .GroupBy(e => e.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<RemovalExample>)g.SelectMany(e => e.Value).Take(examplesPerReason).ToList()));
    }

    private static IReadOnlyDictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts) =>
        counts.SelectMany(c => c).GroupBy(c => c.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, Value: g.Sum(c => c.Value)))
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .ToDictionary(c => c.Key, c => c.Value);
}
