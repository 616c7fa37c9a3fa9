using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>
/// What attention reads earlier keys/values from during incremental decoding. <see cref="KvCache"/> keeps one
/// contiguous buffer per sequence; a serving engine can instead keep them in fixed-size blocks shared by many
/// sequences of different lengths (a paged cache), and plug in here without the model knowing.
/// </summary>
public interface IKvCache
{
    /// <summary>Sequences in a forward pass (rows of the input ids).</summary>
    int BatchSize { get; }

    /// <summary>RoPE positions [B, T] of the next <paramref name="newTokens"/> tokens of each sequence.</summary>
    Tensor NextPositions(int newTokens, Device device);

    /// <summary>
    /// Boolean mask [B or 1, 1, T, S] (true = may attend) over the S keys <see cref="Append"/> returns, or null
    /// when plain causal attention over them is right (a fresh prompt, or one token after everything cached).
    /// </summary>
    Tensor? AttentionMask(int newTokens, Device device);

    /// <summary>Stores this step's keys/values [B, kv_heads, T, d] of <paramref name="layer"/>; returns all keys/values to attend [B, kv_heads, S, d].</summary>
    (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values);

    /// <summary>Called once after all layers ran: the new positions are now cached.</summary>
    void Advance(int newTokens);
}
