namespace Llama.Core.Checkpoints;

/// <summary>Splits an ordered list of tensors into shards of bounded size without reordering or splitting tensors.</summary>
/// <remarks>
/// The rule of <c>huggingface_hub.split_torch_state_dict_into_shards</c>: start a new shard when the next tensor
/// would push the current one over the limit; a tensor larger than the limit gets a shard of its own. Unlike the
/// hub, the oversized tensor's shard comes in sequence rather than before the current shard, so order is kept.
/// </remarks>
internal static class HfShardPlan
{
    /// <summary>Consecutive index ranges, one per shard; at least one (empty) range for an empty input.</summary>
    public static IReadOnlyList<Range> Split(IReadOnlyList<long> tensorBytes, long maxShardBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var shards = new List<Range>();
        int shardStart = 0;
        long shardBytes = 0;
        for (var i = 0; i < tensorBytes.Count; i++)
        {
            if (i > shardStart && shardBytes + tensorBytes[i] > maxShardBytes)
            {
                shards.Add(shardStart..i);
                shardStart = i;
                shardBytes = 0;
            }
            shardBytes += tensorBytes[i];
        }
        shards.Add(shardStart..tensorBytes.Count);
        return shards;
    }
}
