using System.Collections.Concurrent;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Dedup;

/// <summary>
/// URL-level dedup, the first dedup of the Llama 3 paper (section 3.1.1): of all documents whose normalized URL
/// (<see cref="UrlNormalizer"/>) is the same, keep the newest (by <see cref="CurationDocument.Timestamp"/>; no
/// timestamp counts as oldest; ties go to the smallest id in ordinal order) and drop the others as
/// <see cref="DuplicateReason"/>. Documents without a URL pass. State: one entry per distinct URL.
/// </summary>
public sealed class UrlDeduplicator(UrlDedupOptions? options = null) : ICorpusStage
{
    /// <summary>Drop reason of an older copy of a URL.</summary>
    public const string DuplicateReason = "url.duplicate";

    private readonly UrlDedupOptions _options = options ?? new UrlDedupOptions();
    private readonly ConcurrentDictionary<string, UrlCopy> _newestByUrl = new(StringComparer.Ordinal);
    private readonly CorpusStagePhase _phase = new("url-dedup");

    private readonly record struct UrlCopy(long UtcTicks, string Id);

    public string Name => "url-dedup";

    public void Observe(CurationDocument document)
    {
        _phase.EnsureObserving();
        if (document.Url is null) return;
        var copy = new UrlCopy(UtcTicks(document.Timestamp), document.Id);
        _newestByUrl.AddOrUpdate(Key(document.Url), copy, (_, kept) => Newer(copy, kept));
    }

    public void Seal() => _phase.Seal();

    public StageVerdict Process(CurationDocument document)
    {
        _phase.EnsureSealed();
        if (document.Url is null || !_newestByUrl.TryGetValue(Key(document.Url), out var newest) ||
            newest.Id == document.Id)
            return StageVerdict.Kept(document);
        return StageVerdict.Dropped(DuplicateReason, $"older copy of {document.Url}; kept {newest.Id}");
    }

    private string Key(string url) => UrlNormalizer.Normalize(url, _options.IgnoreQuery);

    // Which copy wins does not depend on the order Observe saw them in, so parallel observation is deterministic.
    private static UrlCopy Newer(UrlCopy a, UrlCopy b)
    {
        if (a.UtcTicks != b.UtcTicks) return a.UtcTicks > b.UtcTicks ? a : b;
        return string.CompareOrdinal(a.Id, b.Id) <= 0 ? a : b;
    }

    // Unspecified kinds are taken as UTC (ingest produces UTC); no timestamp sorts before every real one.
    private static long UtcTicks(DateTime? timestamp) => timestamp switch
    {
        null => long.MinValue,
        { Kind: DateTimeKind.Local } t => t.ToUniversalTime().Ticks,
        { } t => t.Ticks,
    };
}
