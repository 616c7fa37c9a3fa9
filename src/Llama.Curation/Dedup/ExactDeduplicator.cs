using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Dedup;

/// <summary>
/// Exact document dedup: documents whose (normalized) text has the same 128-bit XxHash128 are copies; the one with
/// the smallest id (ordinal) is kept, whatever order they were observed in, and the others are dropped as
/// <see cref="DuplicateReason"/>. Cheap, so it runs before MinHash and spares it the trivial pairs.
/// State: one hash and one id per distinct text.
/// </summary>
public sealed class ExactDeduplicator(ExactDedupOptions? options = null) : ICorpusStage
{
    /// <summary>Drop reason of an exact copy.</summary>
    public const string DuplicateReason = "exact.duplicate";

    private readonly ExactDedupOptions _options = options ?? new ExactDedupOptions();
    private readonly ConcurrentDictionary<UInt128, string> _firstIdByHash = new();
    private readonly CorpusStagePhase _phase = new("exact-dedup");

    public string Name => "exact-dedup";

    public void Observe(CurationDocument document)
    {
        _phase.EnsureObserving();
        var id = document.Id;
        _firstIdByHash.AddOrUpdate(Hash(document.Text), id,
            (_, kept) => string.CompareOrdinal(id, kept) < 0 ? id : kept);
    }

    public void Seal() => _phase.Seal();

    public StageVerdict Process(CurationDocument document)
    {
        _phase.EnsureSealed();
        if (!_firstIdByHash.TryGetValue(Hash(document.Text), out var kept) || kept == document.Id)
            return StageVerdict.Kept(document);
        return StageVerdict.Dropped(DuplicateReason, $"duplicate of {kept}");
    }

    private UInt128 Hash(string text)
    {
        var hashed = _options.NormalizeText ? DedupText.Normalize(text) : text;
        return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(hashed.AsSpan()));
    }
}
