using Llama.Core.Config;
using static TorchSharp.torch;

namespace Llama.Serving.Engine;

/// <summary>
/// The key/value memory of every running sequence: per layer, one tensor of <c>num_blocks * block_size</c> slots
/// [slots, kv_heads, head_dim] for keys and one for values. A sequence's position p lives in slot
/// <c>table[p / block_size] * block_size + p % block_size</c> of its block table (vLLM's PagedAttention layout,
/// Kwon et al., 2023), so sequences grow without reserving their maximum length up front.
/// </summary>
public sealed class PagedKvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize, Device device, ScalarType dtype)
    {
        NumBlocks = numBlocks;
        BlockSize = blockSize;
        Device = device;
        KvHeads = config.EffectiveKeyValueHeads;
        HeadDim = config.EffectiveHeadDim;
        _keys = new Tensor[config.NumHiddenLayers];
        _values = new Tensor[config.NumHiddenLayers];
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = zeros([(long)numBlocks * blockSize, KvHeads, HeadDim], dtype, device);
            _values[i] = zeros([(long)numBlocks * blockSize, KvHeads, HeadDim], dtype, device);
        }
    }

    public int NumBlocks { get; }
    public int BlockSize { get; }
    public Device Device { get; }
    public int KvHeads { get; }
    public int HeadDim { get; }

    /// <summary>Bytes one cached token takes over all layers (keys and values).</summary>
    public long BytesPerToken => 2L * _keys.Length * KvHeads * HeadDim * _keys[0].ElementSize;

    /// <summary>The slot of position <paramref name="position"/> of a sequence with <paramref name="blockTable"/>.</summary>
    public long SlotOf(IReadOnlyList<int> blockTable, int position) =>
        (long)blockTable[position / BlockSize] * BlockSize + position % BlockSize;

    /// <summary>Writes keys/values [N, kv_heads, d] of <paramref name="layer"/> into <paramref name="slots"/> [N].</summary>
    internal void Write(int layer, Tensor slots, Tensor keys, Tensor values)
    {
        _keys[layer].index_copy_(0, slots, keys);
        _values[layer].index_copy_(0, slots, values);
    }

    /// <summary>Keys/values at <paramref name="slots"/> [B, S] of <paramref name="layer"/>: each [B, kv_heads, S, d].</summary>
    internal (Tensor Keys, Tensor Values) Gather(int layer, Tensor slots)
    {
        long b = slots.shape[0], s = slots.shape[1];
        var flat = slots.reshape(-1);
        var keys = _keys[layer].index_select(0, flat).view(b, s, KvHeads, HeadDim).transpose(1, 2);
        var values = _values[layer].index_select(0, flat).view(b, s, KvHeads, HeadDim).transpose(1, 2);
        return (keys, values);
    }

    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }
}
