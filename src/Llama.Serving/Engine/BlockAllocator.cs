using System.Buffers.Binary;
using System.IO.Hashing;

namespace Llama.Serving.Engine;

/// <summary>
/// Hands out the fixed-size blocks of the paged KV cache and shares full prompt blocks between sequences
/// (prefix caching, as vLLM's block pool does): a full block is named by a hash chained over every token up to
/// its end, so equal hashes mean equal prefixes. A block nobody references goes back to the free list but keeps
/// its contents and hash until it is handed out again (least recently freed first), so a later prompt with the
/// same prefix can still reuse it. Single-threaded: only the engine loop calls it.
/// </summary>
public sealed class BlockAllocator
{
    private readonly int[] _refCounts;
    private readonly BlockKey?[] _keys;
    private readonly LinkedList<int> _free = new();
    private readonly LinkedListNode<int>?[] _freeNodes;
    private readonly Dictionary<BlockKey, int> _cached = new();

    public BlockAllocator(int numBlocks, int blockSize)
    {
        if (numBlocks <= 0) throw new ArgumentOutOfRangeException(nameof(numBlocks), numBlocks, "must be positive");
        if (blockSize <= 0) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "must be positive");
        NumBlocks = numBlocks;
        BlockSize = blockSize;
        _refCounts = new int[numBlocks];
        _keys = new BlockKey?[numBlocks];
        _freeNodes = new LinkedListNode<int>?[numBlocks];
        for (int i = 0; i < numBlocks; i++) _freeNodes[i] = _free.AddLast(i);
    }

    public int NumBlocks { get; }
    public int BlockSize { get; }

    /// <summary>Blocks no sequence references (some may still hold a reusable cached prefix).</summary>
    public int FreeBlocks => _free.Count;

    /// <summary>Blocks referenced by at least one sequence.</summary>
    public int UsedBlocks => NumBlocks - _free.Count;

    /// <summary>Full blocks looked up for reuse, and how many were found.</summary>
    public long PrefixQueries { get; private set; }
    public long PrefixHits { get; private set; }

    /// <summary>A free block for new contents (its old cached prefix, if any, is forgotten).</summary>
    /// <exception cref="InvalidOperationException">No block is free: the scheduler checks <see cref="FreeBlocks"/> first.</exception>
    public int Allocate()
    {
        var node = _free.First ?? throw new InvalidOperationException("the KV cache has no free block");
        int block = node.Value;
        TakeFromFreeList(block);
        if (_keys[block] is { } old)
        {
            _cached.Remove(old);
            _keys[block] = null;
        }
        _refCounts[block] = 1;
        return block;
    }

    /// <summary>Drops one reference; at zero the block is free again (its cached contents stay reusable).</summary>
    public void Release(int block)
    {
        if (_refCounts[block] <= 0) throw new InvalidOperationException($"block {block} is released more often than it was taken");
        if (--_refCounts[block] == 0) _freeNodes[block] = _free.AddLast(block);
    }

    public void ReleaseAll(IEnumerable<int> blocks)
    {
        foreach (int block in blocks) Release(block);
    }

    /// <summary>
    /// The longest run of leading full blocks of <paramref name="tokens"/> already cached, at most
    /// <paramref name="maxBlocks"/>; each found block gains a reference (the caller owns them now).
    /// </summary>
    public List<int> TakeCachedPrefix(IReadOnlyList<int> tokens, int maxBlocks)
    {
        var found = new List<int>();
        ulong parent = 0;
        for (int i = 0; i < maxBlocks && (i + 1) * BlockSize <= tokens.Count; i++)
        {
            var key = KeyOf(parent, tokens, i);
            PrefixQueries++;
            if (!_cached.TryGetValue(key, out int block)) break;
            PrefixHits++;
            if (_refCounts[block]++ == 0) TakeFromFreeList(block);
            found.Add(block);
            parent = key.Hash;
        }
        return found;
    }

    /// <summary>How many leading full blocks of <paramref name="tokens"/> are cached (no references taken).</summary>
    public int CountCachedPrefix(IReadOnlyList<int> tokens, int maxBlocks)
    {
        ulong parent = 0;
        int i = 0;
        for (; i < maxBlocks && (i + 1) * BlockSize <= tokens.Count; i++)
        {
            var key = KeyOf(parent, tokens, i);
            if (!_cached.ContainsKey(key)) break;
            parent = key.Hash;
        }
        return i;
    }

    /// <summary>Records that <paramref name="table"/>'s first <paramref name="fullBlocks"/> blocks now hold <paramref name="tokens"/>' keys/values.</summary>
    public void RegisterFullBlocks(IReadOnlyList<int> tokens, IReadOnlyList<int> table, int fullBlocks)
    {
        ulong parent = 0;
        for (int i = 0; i < fullBlocks; i++)
        {
            var key = KeyOf(parent, tokens, i);
            parent = key.Hash;
            int block = table[i];
            if (_keys[block] is not null) continue; // already named (a reused block)
            if (_cached.ContainsKey(key)) continue; // another block holds the same prefix; keep that one
            _keys[block] = key;
            _cached[key] = block;
        }
    }

    private void TakeFromFreeList(int block)
    {
        _free.Remove(_freeNodes[block]!);
        _freeNodes[block] = null;
    }

    /// <summary>Block <paramref name="index"/> of <paramref name="tokens"/>, named by the hash of everything before it and its own tokens.</summary>
    private BlockKey KeyOf(ulong parent, IReadOnlyList<int> tokens, int index)
    {
        var bytes = new byte[8 + 4 * BlockSize];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, parent);
        for (int j = 0; j < BlockSize; j++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + 4 * j), tokens[index * BlockSize + j]);
        return new BlockKey(XxHash64.HashToUInt64(bytes), parent, Convert.ToBase64String(bytes, 8, bytes.Length - 8));
    }

    /// <summary>The chained hash, with the parent hash and the block's own tokens kept so a hash collision cannot alias two prefixes.</summary>
    private readonly record struct BlockKey(ulong Hash, ulong Parent, string Tokens);
}
