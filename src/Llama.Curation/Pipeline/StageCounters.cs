using System.Collections.Concurrent;
using System.Diagnostics;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Pipeline;

/// <summary>
/// What one stage did, counted from many threads: documents and bytes in and out, drops by reason, by source and
/// by language, a few examples of each kind of removal, and the time spent inside the stage.
/// </summary>
public sealed class StageCounters(string stage, int examplesPerReason = 3)
{
    private long _in, _kept, _modified, _dropped, _bytesIn, _bytesOut, _ticks;
    private readonly ConcurrentDictionary<string, long> _byReason = new();
    private readonly ConcurrentDictionary<string, long> _bySource = new();
    private readonly ConcurrentDictionary<string, long> _byLanguage = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<RemovalExample>> _examples = new();

    public string Stage { get; } = stage;

    /// <summary>Counts one decision; <paramref name="elapsedTicks"/> is Stopwatch time spent deciding.</summary>
    public void Record(CurationDocument input, StageVerdict verdict, long elapsedTicks)
    {
        long bytesIn = Utf8Length(input.Text);
        Interlocked.Increment(ref _in);
        Interlocked.Add(ref _bytesIn, bytesIn);
        Interlocked.Add(ref _ticks, elapsedTicks);
        switch (verdict)
        {
            case StageVerdict.Keep keep:
                Interlocked.Increment(ref _kept);
                bool modified = keep.Document.Text != input.Text;   // string equality is a reference check first
                Interlocked.Add(ref _bytesOut, modified ? Utf8Length(keep.Document.Text) : bytesIn);
                if (modified) Interlocked.Increment(ref _modified);
                break;
            case StageVerdict.Drop drop:
                Interlocked.Increment(ref _dropped);
                _byReason.AddOrUpdate(drop.Reason, 1, (_, n) => n + 1);
                _bySource.AddOrUpdate(input.Source, 1, (_, n) => n + 1);
                _byLanguage.AddOrUpdate(input.Language ?? "unknown", 1, (_, n) => n + 1);
                var examples = _examples.GetOrAdd(drop.Reason, _ => new ConcurrentQueue<RemovalExample>());
                if (examples.Count < examplesPerReason)
                    examples.Enqueue(new RemovalExample(input.Id, input.Source, drop.Detail, Snippet(input.Text)));
                break;
        }
    }

    /// <summary>Counts a document skipped before any stage saw it (ingest problems).</summary>
    public void RecordSkip(string reason, string source, string id, string? detail)
    {
        Interlocked.Increment(ref _dropped);
        _byReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
        _bySource.AddOrUpdate(source, 1, (_, n) => n + 1);
        var examples = _examples.GetOrAdd(reason, _ => new ConcurrentQueue<RemovalExample>());
        if (examples.Count < examplesPerReason) examples.Enqueue(new RemovalExample(id, source, detail, ""));
    }

    public void RecordPassThrough(CurationDocument document)
    {
        Interlocked.Increment(ref _in);
        Interlocked.Increment(ref _kept);
        long bytes = Utf8Length(document.Text);
        Interlocked.Add(ref _bytesIn, bytes);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    public void AddElapsed(long ticks) => Interlocked.Add(ref _ticks, ticks);

    public StageReport ToReport() => new(
        Stage, _in, _kept, _modified, _dropped, _bytesIn, _bytesOut,
        TimeSpan.FromSeconds(_ticks / (double)Stopwatch.Frequency).TotalSeconds,
        Sorted(_byReason), Sorted(_bySource), Sorted(_byLanguage),
        _examples.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => (IReadOnlyList<RemovalExample>)e.Value.ToList()));

    private static IReadOnlyDictionary<string, long> Sorted(ConcurrentDictionary<string, long> counts) =>
        counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value);

    private static long Utf8Length(string text) => System.Text.Encoding.UTF8.GetByteCount(text);

    private static string Snippet(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, 40, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 200 ? flat : flat[..200] + "…";
    }
}

/// <summary>A document a stage removed, shown in the report so a person can judge the rule.</summary>
public sealed record RemovalExample(string Id, string Source, string? Detail, string Snippet);

/// <summary>One stage's numbers in the run report.</summary>
public sealed record StageReport(
    string Stage, long DocumentsIn, long DocumentsKept, long DocumentsModified, long DocumentsDropped,
    long BytesIn, long BytesOut, double Seconds,
    IReadOnlyDictionary<string, long> DroppedByReason, IReadOnlyDictionary<string, long> DroppedBySource,
    IReadOnlyDictionary<string, long> DroppedByLanguage, IReadOnlyDictionary<string, IReadOnlyList<RemovalExample>> Examples)
{
    public double MegabytesPerSecond => Seconds > 0 ? BytesIn / 1e6 / Seconds : 0;
    public double DocumentsPerSecond => Seconds > 0 ? DocumentsIn / Seconds : 0;
}
