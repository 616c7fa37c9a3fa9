using System.Globalization;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Dedup;

/// <summary>Drives a corpus stage the way the pipeline does: Observe all, Seal, Process all.</summary>
internal static class CorpusStageRun
{
    public static Dictionary<string, StageVerdict> Run(ICorpusStage stage, IReadOnlyList<CurationDocument> documents, bool parallel = false)
    {
        if (parallel)
            Parallel.ForEach(documents, new ParallelOptions { MaxDegreeOfParallelism = 8 }, stage.Observe);
        else
            foreach (var document in documents) stage.Observe(document);
        stage.Seal();
        var verdicts = new System.Collections.Concurrent.ConcurrentDictionary<string, StageVerdict>();
        if (parallel)
            Parallel.ForEach(documents, new ParallelOptions { MaxDegreeOfParallelism = 8 }, d => verdicts[d.Id] = stage.Process(d));
        else
            foreach (var document in documents) verdicts[document.Id] = stage.Process(document);
        return new Dictionary<string, StageVerdict>(verdicts);
    }

    /// <summary>The ids the stage dropped, in ordinal order.</summary>
    public static string[] Dropped(Dictionary<string, StageVerdict> verdicts) =>
        verdicts.Where(v => v.Value is StageVerdict.Drop).Select(v => v.Key).Order(StringComparer.Ordinal).ToArray();

    /// <summary>A verdict as one comparable string (records holding tag dictionaries do not compare by value).</summary>
    public static string Describe(StageVerdict verdict) => verdict switch
    {
        StageVerdict.Keep keep => $"keep|{keep.Document.Text}|{string.Join(",", keep.Document.Tags.Select(t => $"{t.Key}={t.Value}"))}",
        StageVerdict.Drop drop => $"drop|{drop.Reason}|{drop.Detail}",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };

    public static CurationDocument Document(string id, string text, string? url = null, string? timestamp = null) =>
        new(id, text, "test")
        {
            Url = url,
            Timestamp = timestamp is null ? null : DateTime.Parse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
        };
}
