using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Serving.Engine;

/// <summary>
/// One forward pass of several sequences over the <see cref="PagedKvCache"/>, seen by the model as its
/// <see cref="IKvCache"/>: row b feeds T new tokens at positions <c>start[b]..start[b]+T-1</c>. New keys/values
/// go to their slots; attention reads each row's cached and new positions gathered from its blocks, padded to
/// the longest row, with a mask that hides the padding and the future. Its index tensors belong to the caller's
/// dispose scope.
/// </summary>
internal sealed class PagedBatch : IKvCache
{
    private readonly PagedKvCache _cache;
    private readonly int[] _starts;
    private readonly int _newTokens;
    private readonly Tensor _writeSlots;  // [B * T]
    private readonly Tensor _readSlots;   // [B, S]
    private readonly Tensor _positions;   // [B, T]
    private readonly Tensor? _mask;       // [B, 1, T, S] or null

    /// <param name="blockTables">Each row's block table, already long enough for its new tokens.</param>
    /// <param name="starts">Each row's number of cached positions (where its new tokens begin).</param>
    public PagedBatch(PagedKvCache cache, IReadOnlyList<IReadOnlyList<int>> blockTables, int[] starts, int newTokens)
    {
        _cache = cache;
        _starts = starts;
        _newTokens = newTokens;
        int b = starts.Length;
        int longest = starts.Max() + newTokens;
        var write = new long[b * newTokens];
        var read = new long[b * longest];
        var positions = new long[b * newTokens];
        for (int row = 0; row < b; row++)
        {
            for (int t = 0; t < newTokens; t++)
            {
                write[row * newTokens + t] = cache.SlotOf(blockTables[row], starts[row] + t);
                positions[row * newTokens + t] = starts[row] + t;
            }
            int length = starts[row] + newTokens;
            // Padding reads slot 0 of the row's first block: any valid slot will do, the mask hides it.
            for (int s = 0; s < longest; s++)
                read[row * longest + s] = cache.SlotOf(blockTables[row], s < length ? s : 0);
        }
        _writeSlots = tensor(write, ScalarType.Int64, cache.Device);
        _readSlots = tensor(read, ScalarType.Int64, cache.Device).view(b, longest);
        _positions = tensor(positions, ScalarType.Int64, cache.Device).view(b, newTokens);
        _mask = BuildMask(starts, newTokens, longest, cache.Device);
    }

    public int BatchSize => _starts.Length;

    public Tensor NextPositions(int newTokens, Device device) => _positions;

    public Tensor? AttentionMask(int newTokens, Device device) => _mask;

    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        // [B, kv, T, d] -> [B*T, kv, d], row-major in (row, t) like the write slots.
        var flatKeys = keys.transpose(1, 2).reshape(-1, _cache.KvHeads, _cache.HeadDim);
        var flatValues = values.transpose(1, 2).reshape(-1, _cache.KvHeads, _cache.HeadDim);
        _cache.Write(layer, _writeSlots, flatKeys, flatValues);
        return _cache.Gather(layer, _readSlots);
    }

    public void Advance(int newTokens) { }

    /// <summary>
    /// Null when plain attention gives the same result as the mask would: one row without padding (a fresh prompt
    /// is causal; one new token sees everything). Otherwise query t of row b sees keys <c>0..start[b]+t</c>.
    /// </summary>
    private static Tensor? BuildMask(int[] starts, int newTokens, int longest, Device device)
    {
        if (starts.Length == 1 && (starts[0] == 0 || newTokens == 1)) return null;
        var allowed = new bool[starts.Length * newTokens * longest];
        for (int row = 0; row < starts.Length; row++)
            for (int t = 0; t < newTokens; t++)
                for (int s = 0; s <= starts[row] + t; s++)
                    allowed[(row * newTokens + t) * longest + s] = true;
        return tensor(allowed, ScalarType.Bool, device).view(starts.Length, 1, newTokens, longest);
    }
}
