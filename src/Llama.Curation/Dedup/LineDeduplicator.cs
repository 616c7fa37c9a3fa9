using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Dedup;

/// <summary>
/// Line-level dedup, the Llama 3 paper's third dedup (section 3.1.1): documents are split into buckets by a stable
/// hash of their id; a line (normalized: NFKC, lowercase, whitespace collapsed) found in more than
/// <see cref="LineDedupOptions.MaxDocumentsPerLine"/> documents of its bucket is boilerplate (navigation, cookie
/// warnings, footers) and is removed from every document of that bucket, which keeps its other lines. A document
/// with nothing left is dropped as <see cref="EmptyReason"/>. Kept documents that lost lines get the tag
/// <see cref="RemovedLinesTag"/>.
/// </summary>
/// <remarks>
/// A line counts once per document: repetition inside one document is the Gopher repetition filter's business.
/// The bucket count depends on the corpus size, known only at <see cref="Seal"/>, so Observe counts per one of
/// <see cref="MaxBuckets"/> fixed hash slots and Seal merges slots into buckets (slot mod bucket count). State: one
/// count per distinct (slot, line hash) in pass 1, then only the hashes of the lines to remove.
/// </remarks>
public sealed class LineDeduplicator : ICorpusStage
{
    /// <summary>Drop reason of a document made only of removed lines.</summary>
    public const string EmptyReason = "line_dedup.empty";

    /// <summary>Tag on a kept document: how many of its lines were removed.</summary>
    public const string RemovedLinesTag = "line_dedup.removed_lines";

    /// <summary>The most buckets a corpus is split into (the number of hash slots Observe counts in).</summary>
    public const int MaxBuckets = 4096;

    private readonly LineDedupOptions _options;
    private readonly CorpusStagePhase _phase = new("line-dedup");
    private ConcurrentDictionary<(int Slot, ulong Line), int>? _documentsBySlotLine = new();
    private HashSet<(int Bucket, ulong Line)> _frequentLines = [];
    private long _documentCount;
    private int _bucketCount = 1;

    public LineDeduplicator(LineDedupOptions? options = null)
    {
        _options = options ?? new LineDedupOptions();
        _options.Validate();
    }

    public string Name => "line-dedup";

    /// <summary>How many buckets <see cref="Seal"/> split the corpus into.</summary>
    public int BucketCount => _bucketCount;

    public void Observe(CurationDocument document)
    {
        _phase.EnsureObserving();
        Interlocked.Increment(ref _documentCount);
        var slot = Slot(document.Id);
        var seen = new HashSet<ulong>();
        foreach (var line in document.Text.AsSpan().EnumerateLines())
        {
            if (LineHash(line) is { } hash && seen.Add(hash))
                _documentsBySlotLine!.AddOrUpdate((slot, hash), 1, static (_, count) => count + 1);
        }
    }

    public void Seal()
    {
        _phase.Seal();
        var documentsPerBucket = _options.DocumentsPerBucket;
        _bucketCount = (int)Math.Clamp((_documentCount + documentsPerBucket - 1) / documentsPerBucket, 1, MaxBuckets);
        var bucketCounts = new Dictionary<(int Bucket, ulong Line), int>();
        foreach (var ((slot, line), count) in _documentsBySlotLine!)
        {
            var key = (slot % _bucketCount, line);
            bucketCounts[key] = bucketCounts.GetValueOrDefault(key) + count;
        }
        _documentsBySlotLine = null;
        var frequent = new HashSet<(int Bucket, ulong Line)>();
        foreach (var (key, count) in bucketCounts)
            if (count > _options.MaxDocumentsPerLine) frequent.Add(key);
        _frequentLines = frequent;
    }

    public StageVerdict Process(CurationDocument document)
    {
        _phase.EnsureSealed();
        var bucket = Slot(document.Id) % _bucketCount;
        var kept = new StringBuilder(document.Text.Length);
        var removed = 0;
        var blankRun = 0;
        foreach (var line in document.Text.AsSpan().EnumerateLines())
        {
            if (LineHash(line) is { } hash && _frequentLines.Contains((bucket, hash)))
            {
                removed++;
                continue;
            }
            // Removing a line between two paragraphs must not leave a run of blank lines behind.
            if (line.IsWhiteSpace())
            {
                blankRun++;
                continue;
            }
            if (kept.Length > 0) kept.Append(blankRun > 0 ? "\n\n" : "\n");
            kept.Append(line);
            blankRun = 0;
        }
        if (removed == 0) return StageVerdict.Kept(document);
        if (kept.Length == 0) return StageVerdict.Dropped(EmptyReason, $"all {removed} lines are frequent in its bucket");
        return StageVerdict.Kept((document with { Text = kept.ToString() })
            .WithTag(RemovedLinesTag, removed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static int Slot(string id) =>
        (int)(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan())) % MaxBuckets);

    private ulong? LineHash(ReadOnlySpan<char> line)
    {
        var normalized = DedupText.Normalize(line);
        if (normalized.Length < _options.MinLineChars) return null;
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(normalized.AsSpan()));
    }
}
