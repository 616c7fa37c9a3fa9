namespace Llama.Pretraining.Data;

/// <summary>
/// The documents of one domain in a shuffled order that is reshuffled each epoch. The order of an epoch is a
/// function of (seed, domain, epoch), so only the epoch and position need saving to resume.
/// </summary>
/// <remarks>
/// The shuffle is two-level, as streaming loaders do: the domain's shards in a shuffled order, and each shard's
/// documents shuffled within it. So the domain reads one shard at a time and each shard once per epoch (see
/// <see cref="ShardTokenCache"/>), at the price of documents of one shard coming together; shards written by
/// curation are already a mix of sources, and the domain draws interleave the domains.
/// </remarks>
internal sealed class DomainDocumentOrder
{
    private readonly ulong _seed;
    private readonly ulong _domainHash;
    private int[] _order;

    public DomainDocumentOrder(string domain, IReadOnlyList<TokenDocument> documents, ulong seed)
    {
        Domain = domain;
        Documents = documents;
        _seed = seed;
        _domainHash = StableHash.Of(domain);
        MeanTokens = documents.Average(d => (double)d.Length);
        _order = Shuffle(0);
    }

    public string Domain { get; }
    public IReadOnlyList<TokenDocument> Documents { get; }

    /// <summary>Mean document length: turns a token share into a document draw probability.</summary>
    public double MeanTokens { get; }

    public int Epoch { get; private set; }
    public int Position { get; private set; }

    /// <summary>The index (into <see cref="Documents"/>) of the next document; moves to the next epoch at the end.</summary>
    public int Next()
    {
        int index = _order[Position++];
        if (Position == _order.Length) MoveTo(Epoch + 1, 0);
        return index;
    }

    public void MoveTo(int epoch, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (position < 0 || position >= Documents.Count)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"domain '{Domain}' has {Documents.Count} training documents");
        if (epoch != Epoch) _order = Shuffle(epoch);
        Epoch = epoch;
        Position = position;
    }

    private int[] Shuffle(int epoch)
    {
        var random = new Xoshiro256StarStar(StableHash.Combine(StableHash.Combine(_seed, _domainHash), (ulong)epoch));
        // Documents come in shard/row order, so each shard's documents are one contiguous run of indices.
        var shards = Enumerable.Range(0, Documents.Count).GroupBy(i => Documents[i].Shard, StringComparer.Ordinal)
            .Select(g => g.ToArray()).ToArray();
        ShuffleInPlace(shards, random);
        foreach (var shard in shards) ShuffleInPlace(shard, random);
        return shards.SelectMany(s => s).ToArray();
    }

    private static void ShuffleInPlace<T>(T[] items, Xoshiro256StarStar random)
    {
        for (int i = items.Length - 1; i > 0; i--) // Fisher-Yates
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
