using System.IO.Hashing;
using System.Text;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Domains;

/// <summary>
/// Reshapes the corpus to a target domain mix (paper section 3.1.2, "determining the data mix"). Pass 1 (<see
/// cref="Observe"/>) records each document's id hash and size under its domain (null counts as general). <see
/// cref="Seal"/> finds the largest mix with the target shares that the data allows: without repeats the scarcest
/// domain (relative to its target) is kept whole and the others are downsampled; with repeats scarce domains may be
/// repeated up to <see cref="DomainMixerOptions.MaximumRepeats"/> times first. Within a domain, documents are taken in
/// order of a seeded hash of their id until the domain's character budget is met, so the choice is deterministic,
/// independent of thread order, and exact to within one document. Pass 2 (<see cref="Process"/>) drops the
/// documents not chosen (<see cref="DownsampledReason"/>) and tags repeated ones (<see cref="RepeatTag"/>).
/// </summary>
public sealed class DomainMixer : ICorpusStage, IStageSummary
{
    /// <summary>Drop reason for documents left out of an over-represented domain.</summary>
    public const string DownsampledReason = "mix.downsampled";

    /// <summary>Tag with the number of copies (≥ 2) the tokenizer should emit; absent means one.</summary>
    public const string RepeatTag = "mix.repeat";

    private readonly object _gate = new();
    private readonly Dictionary<string, List<(ulong Hash, int Size)>> _observed = new(StringComparer.Ordinal);
    private Dictionary<string, DomainSelection>? _selections;

    /// <summary>Whole copies every document of the domain gets, plus one more for hashes below the threshold.</summary>
    private sealed record DomainSelection(int FullCopies, ulong ExtraCopyBelow, double Copies, double Target);

    public DomainMixer(DomainMixerOptions? options = null)
    {
        Options = options ?? new DomainMixerOptions();
        if (Options.Targets.Count == 0 || Options.Targets.Values.Any(t => t < 0 || double.IsNaN(t)) || Options.Targets.Values.Sum() <= 0)
            throw new ArgumentException($"DomainMixerOptions.Targets must be non-negative with a positive sum: {Describe(Options.Targets)}", nameof(options));
        if (Options.MaximumRepeats < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"MaximumRepeats ({Options.MaximumRepeats}) must be >= 1");
    }

    public DomainMixerOptions Options { get; }

    public string Name => "domain-mixer";

    /// <summary>The mix decided by <see cref="Seal"/>; null before.</summary>
    public MixReport? Report { get; private set; }

    object? IStageSummary.Summary => Report;

    public void Observe(CurationDocument document)
    {
        var domain = DomainOf(document);
        if (!Options.Targets.ContainsKey(domain)) return;
        var entry = (HashOf(document.Id), document.Text.Length);
        lock (_gate)
        {
            if (_selections is not null) throw new InvalidOperationException("DomainMixer.Observe called after Seal");
            if (!_observed.TryGetValue(domain, out var list)) _observed[domain] = list = [];
            list.Add(entry);
        }
    }

    public void Seal()
    {
        lock (_gate)
        {
            if (_selections is not null) throw new InvalidOperationException("DomainMixer.Seal called twice");
            var sizes = Options.Targets.Keys.ToDictionary(d => d, d => _observed.TryGetValue(d, out var l) ? l.Sum(e => (long)e.Size) : 0L);
            var present = Options.Targets.Where(t => t.Value > 0 && sizes[t.Key] > 0).ToDictionary(t => t.Key, t => t.Value);
            var weight = present.Values.Sum();
            var targets = present.ToDictionary(t => t.Key, t => t.Value / weight);

            // The largest total T with T * target_d <= maxCopies * size_d for every domain.
            var maxCopies = Options.AllowRepeat ? Options.MaximumRepeats : 1;
            var total = targets.Count == 0 ? 0 : targets.Min(t => maxCopies * (double)sizes[t.Key] / t.Value);

            _selections = new Dictionary<string, DomainSelection>(StringComparer.Ordinal);
            var mixes = new List<(string Domain, long DocsBefore, long DocsAfter, long CharsAfter)>();
            foreach (var (domain, target) in targets)
            {
                var entries = _observed[domain];
                entries.Sort((a, b) => a.Hash.CompareTo(b.Hash));
                var (selection, docsAfter, charsAfter) = Select(entries, sizes[domain], total * target, target);
                _selections[domain] = selection;
                mixes.Add((domain, entries.Count, docsAfter, charsAfter));
            }

            var grandTotal = mixes.Sum(m => m.CharsAfter);
            Report = new MixReport(
                Options.Targets.Keys.Select(domain =>
                {
                    var mix = mixes.FirstOrDefault(m => m.Domain == domain);
                    var before = _observed.TryGetValue(domain, out var l) ? l.Count : 0;
                    return new DomainMix(domain, before, sizes[domain], mix.DocsAfter, mix.CharsAfter,
                        Options.Targets[domain] / Options.Targets.Values.Sum(), targets.GetValueOrDefault(domain),
                        grandTotal == 0 ? 0 : (double)mix.CharsAfter / grandTotal,
                        sizes[domain] == 0 ? 0 : (double)mix.CharsAfter / sizes[domain]);
                }).ToArray(),
                Options.Targets.Where(t => t.Value > 0 && sizes[t.Key] == 0).Select(t => t.Key).ToArray());
            _observed.Clear();
        }
    }

    public StageVerdict Process(CurationDocument document)
    {
        var selections = _selections ?? throw new InvalidOperationException("DomainMixer.Process called before Seal");
        var domain = DomainOf(document);
        if (!selections.TryGetValue(domain, out var selection)) return StageVerdict.Kept(document);

        var copies = selection.FullCopies + (HashOf(document.Id) < selection.ExtraCopyBelow ? 1 : 0);
        return copies switch
        {
            0 => StageVerdict.Dropped(DownsampledReason,
                $"{domain} keeps {selection.Copies:P1} of its characters for a {selection.Target:P1} share of the mix"),
            1 => StageVerdict.Kept(document),
            _ => StageVerdict.Kept(document.WithTag(RepeatTag, copies.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        };
    }

    /// <summary>
    /// Every document gets floor(budget / size) copies; the remainder is filled with one more copy of documents in
    /// hash order until it is covered (overshooting by at most one document).
    /// </summary>
    private static (DomainSelection Selection, long DocsAfter, long CharsAfter) Select(
        List<(ulong Hash, int Size)> sortedByHash, long size, double budget, double target)
    {
        var ratio = budget / size;
        // The limiting domain's ratio is an integer up to rounding error; do not let 0.9999999 or 1.0000001 move it.
        if (Math.Abs(ratio - Math.Round(ratio)) < 1e-9) ratio = Math.Round(ratio);
        var fullCopies = (int)Math.Floor(ratio);
        var remainder = (ratio - fullCopies) * size;

        var taken = 0;
        long extraChars = 0;
        while (taken < sortedByHash.Count && extraChars < remainder)
            extraChars += sortedByHash[taken++].Size;
        var below = taken == sortedByHash.Count ? ulong.MaxValue : sortedByHash[taken].Hash;
        if (taken == sortedByHash.Count && taken > 0 && sortedByHash[^1].Hash == ulong.MaxValue)
            throw new InvalidOperationException("document id hash collides with the sentinel; change DomainMixerOptions.Seed");

        var charsAfter = fullCopies * size + extraChars;
        var docsAfter = fullCopies > 0 ? sortedByHash.Count : taken;
        return (new DomainSelection(fullCopies, taken == 0 ? 0 : below, (double)charsAfter / size, target), docsAfter, charsAfter);
    }

    private ulong HashOf(string id) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(id), unchecked((long)Options.Seed));

    private static string DomainOf(CurationDocument document) => document.Domain ?? DomainNames.General;

    private static string Describe(IReadOnlyDictionary<string, double> targets) =>
        string.Join(", ", targets.Select(t => $"{t.Key}={t.Value}"));
}
