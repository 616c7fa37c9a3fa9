using System.Collections.Concurrent;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Dedup;

/// <summary>
/// Document-level fuzzy dedup, the Llama 3 paper's second dedup (section 3.1.1), as datatrove runs it for FineWeb:
/// a MinHash signature per document (<see cref="MinHashOptions"/>: 5-word shingles, 14 bands x 8 rows), documents
/// sharing any band are candidate pairs, pairs whose estimated Jaccard reaches
/// <see cref="MinHashOptions.MinEstimatedJaccard"/> are linked, and the connected components of those links over
/// the whole corpus are the duplicate clusters (so A~B and B~C put A, B, C together even when A and C never
/// collide). Each cluster keeps its smallest id (ordinal); the rest are dropped as <see cref="NearDuplicateReason"/>.
/// </summary>
/// <remarks>
/// State between the passes is the id and a 4-byte-per-hash signature of each document (448 bytes at the default
/// 112 hashes), never the text. <see cref="Seal"/> sorts by id before clustering, so the result does not depend on
/// the order or the threads Observe ran on. Documents without a single word have no signature and pass.
/// Within one band bucket every pair not yet in one cluster is verified, so a bucket of m unrelated documents costs
/// O(m²) comparisons; buckets that large only arise from templated pages, which exact dedup removes first.
/// </remarks>
public sealed class MinHashDeduplicator : ICorpusStage
{
    /// <summary>Drop reason of a document in a cluster whose kept document is another.</summary>
    public const string NearDuplicateReason = "minhash.near_duplicate";

    private readonly MinHashOptions _options;
    private readonly MinHashSignatures _signatures;
    private readonly CorpusStagePhase _phase = new("minhash");
    private ConcurrentDictionary<string, uint[]>? _signatureById = new(StringComparer.Ordinal);
    private Dictionary<string, string> _keptIdByDuplicateId = new(StringComparer.Ordinal);

    public MinHashDeduplicator(MinHashOptions? options = null)
    {
        _options = options ?? new MinHashOptions();
        _options.Validate();
        _signatures = new MinHashSignatures(_options);
    }

    public string Name => "minhash";

    /// <summary>How many clusters of two or more documents <see cref="Seal"/> found.</summary>
    public int ClusterCount { get; private set; }

    public void Observe(CurationDocument document)
    {
        _phase.EnsureObserving();
        var signature = _signatures.Compute(document.Text);
        if (signature is not null) _signatureById!.TryAdd(document.Id, signature);
    }

    public void Seal()
    {
        _phase.Seal();
        var observed = _signatureById!.ToArray();
        _signatureById = null; // the signatures are dropped once the clusters are known
        Array.Sort(observed, (x, y) => string.CompareOrdinal(x.Key, y.Key));
        var signatures = new uint[observed.Length][];
        for (var i = 0; i < observed.Length; i++) signatures[i] = observed[i].Value;

        var clusters = new UnionFind(observed.Length);
        var bucketEntries = new (ulong Key, int Document)[observed.Length];
        for (var band = 0; band < _options.Bands; band++)
        {
            for (var i = 0; i < observed.Length; i++)
                bucketEntries[i] = (_signatures.BandKey(signatures[i], band), i);
            Array.Sort(bucketEntries); // by key, then document index: buckets become runs, members in id order
            LinkBuckets(bucketEntries, signatures, clusters);
        }

        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        var roots = new HashSet<int>();
        for (var i = 0; i < observed.Length; i++)
        {
            var root = clusters.Find(i);
            if (root == i) continue;
            kept[observed[i].Key] = observed[root].Key;
            roots.Add(root);
        }
        _keptIdByDuplicateId = kept;
        ClusterCount = roots.Count;
    }

    public StageVerdict Process(CurationDocument document)
    {
        _phase.EnsureSealed();
        return _keptIdByDuplicateId.TryGetValue(document.Id, out var keptId)
            ? StageVerdict.Dropped(NearDuplicateReason, $"near-duplicate of {keptId}")
            : StageVerdict.Kept(document);
    }

    private void LinkBuckets((ulong Key, int Document)[] entries, uint[][] signatures, UnionFind clusters)
    {
        var start = 0;
        while (start < entries.Length)
        {
            var end = start + 1;
            while (end < entries.Length && entries[end].Key == entries[start].Key) end++;
            for (var j = start + 1; j < end; j++)
            {
                var later = entries[j].Document;
                for (var i = start; i < j; i++)
                {
                    var earlier = entries[i].Document;
                    if (clusters.Find(earlier) == clusters.Find(later)) continue;
                    if (IsLinked(signatures[earlier], signatures[later])) clusters.Union(earlier, later);
                }
            }
            start = end;
        }
    }

    private bool IsLinked(uint[] a, uint[] b) =>
        _options.MinEstimatedJaccard <= 0 || MinHashSignatures.EstimatedJaccard(a, b) >= _options.MinEstimatedJaccard;
}
