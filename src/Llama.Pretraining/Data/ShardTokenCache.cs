namespace Llama.Pretraining.Data;

/// <summary>
/// The token ids of the most recently used shards, at most <see cref="Capacity"/> of them: what lets training
/// stream a corpus larger than memory. The sampler reads each domain shard by shard (see
/// <see cref="DomainDocumentOrder"/>), so a capacity of a few shards per domain is enough to read every shard once
/// per epoch instead of once per document.
/// </summary>
internal sealed class ShardTokenCache
{
    private readonly LinkedList<(string Shard, int[][] Rows)> _resident = new(); // most recently used first
    private readonly Lock _lock = new();

    private int _capacity = 1;

    /// <summary>How many shards stay in memory at most (set once the number of domains is known).</summary>
    public int Capacity
    {
        get => _capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            lock (_lock) _capacity = value;
        }
    }

    /// <summary>Shards read from disk so far (a measure of streaming efficiency: tests and progress use it).</summary>
    public int ShardReads { get; private set; }

    /// <summary>Shards in memory now.</summary>
    public int ResidentShards { get { lock (_lock) return _resident.Count; } }

    public int[] Tokens(TokenDocument document)
    {
        lock (_lock)
        {
            var rows = Find(document.Shard) ?? Load(document.Shard);
            var tokens = document.Row < rows.Length ? rows[document.Row] : null;
            // The index was taken when the set was opened; a shard rewritten since then must not feed wrong ids.
            if (tokens is null || tokens.Length != document.Length)
                throw new TokenShardException(document.Shard,
                    $"{document.Location}: the shard changed since it was opened (expected {document.Length} tokens at this row)",
                    documentId: document.Id, row: document.Row);
            return tokens;
        }
    }

    private int[][]? Find(string shard)
    {
        for (var node = _resident.First; node is not null; node = node.Next)
        {
            if (node.Value.Shard != shard) continue;
            _resident.Remove(node);
            _resident.AddFirst(node);
            return node.Value.Rows;
        }
        return null;
    }

    private int[][] Load(string shard)
    {
        var rows = TokenShardReader.ReadTokensAsync(shard, CancellationToken.None).GetAwaiter().GetResult();
        ShardReads++;
        _resident.AddFirst((shard, rows));
        while (_resident.Count > Capacity) _resident.RemoveLast();
        return rows;
    }
}
