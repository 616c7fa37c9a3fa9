using Llama.Core.Config;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>
/// A preallocated key/value cache for incremental decoding: per layer, keys and values of shape
/// [batch, kv_heads, capacity, head_dim], written in place so a decode step costs no reallocation or
/// concatenation. <see cref="Length"/> is how many positions are filled; the model advances it after a
/// forward pass through all layers.
/// </summary>
public sealed class KvCache : IKvCache, IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    public KvCache(LlamaConfig config, int batchSize, int capacity, Device device, ScalarType dtype)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be positive");
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be positive");
        BatchSize = batchSize;
        Capacity = capacity;
        _keys = new Tensor[config.NumHiddenLayers];
        _values = new Tensor[config.NumHiddenLayers];
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = zeros([batchSize, config.EffectiveKeyValueHeads, capacity, config.EffectiveHeadDim], dtype, device);
            _values[i] = zeros([batchSize, config.EffectiveKeyValueHeads, capacity, config.EffectiveHeadDim], dtype, device);
        }
    }

    public int BatchSize { get; }
    public int Capacity { get; }

    /// <summary>Positions already cached (the next token's position).</summary>
    public int Length { get; private set; }

    /// <summary>Consecutive positions after the cached ones, the same for every row.</summary>
    public Tensor NextPositions(int newTokens, Device device) =>
        arange(Length, Length + newTokens, ScalarType.Int64, device).unsqueeze(0).expand(BatchSize, newTokens);

    /// <summary>Several new tokens after cached ones need an explicit causal mask; otherwise none is needed.</summary>
    public Tensor? AttentionMask(int newTokens, Device device) =>
        Length > 0 && newTokens > 1 ? AttentionMasks.CausalAfter(Length, newTokens, device) : null;

    /// <summary>Writes <paramref name="keys"/>/<paramref name="values"/> [B, kv_heads, T, d] at the current length and returns the filled views [B, kv_heads, Length + T, d].</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        int t = (int)keys.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache full: {Length} cached + {t} new positions exceed its capacity of {Capacity}");
        _keys[layer].narrow(2, Length, t).copy_(keys);
        _values[layer].narrow(2, Length, t).copy_(values);
        return (_keys[layer].narrow(2, 0, Length + t), _values[layer].narrow(2, 0, Length + t));
    }

    public void Advance(int newTokens) => Length += newTokens;

    /// <summary>Layer <paramref name="layer"/>'s cached keys and values so far, [B, kv_heads, Length, d] views (RoPE already applied to the keys).</summary>
    public (Tensor Keys, Tensor Values) Filled(int layer) => (_keys[layer].narrow(2, 0, Length), _values[layer].narrow(2, 0, Length));

    /// <summary>Forgets everything cached (the buffers are reused).</summary>
    public void Reset() => Length = 0;

    /// <summary>Drops positions beyond <paramref name="length"/> (e.g. to reuse a shared prompt prefix).</summary>
    public void Truncate(int length)
    {
        if (length < 0 || length > Length) throw new ArgumentOutOfRangeException(nameof(length), length, $"must be in [0, {Length}]");
        Length = length;
    }

    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }
}
