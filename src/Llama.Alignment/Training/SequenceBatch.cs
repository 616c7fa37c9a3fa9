using static TorchSharp.torch;

namespace Llama.Alignment.Training;

/// <summary>
/// Sequences of different lengths in one [B, T] batch, padded on the right. With causal attention a position never
/// sees the padding after it, so the real tokens' logits equal those of the unpadded sequence; losses mask the pads.
/// </summary>
public static class SequenceBatch
{
    /// <summary>Ids [B, T] (int64) with T the longest length; pads are <paramref name="padId"/>.</summary>
    public static Tensor RightPadded(IReadOnlyList<int[]> sequences, int padId, Device device)
    {
        int width = sequences.Max(s => s.Length);
        var flat = new long[sequences.Count * width];
        for (int b = 0; b < sequences.Count; b++)
            for (int t = 0; t < width; t++)
                flat[b * width + t] = t < sequences[b].Length ? sequences[b][t] : padId;
        return tensor(flat, [sequences.Count, width], ScalarType.Int64, device);
    }

    /// <summary>A boolean [B, T - 1] mask over next-token positions (index p scores token p + 1) from per-row flags.</summary>
    public static Tensor NextTokenMask(IReadOnlyList<bool[]> tokenFlags, int width, Device device)
    {
        var flat = new bool[tokenFlags.Count * (width - 1)];
        for (int b = 0; b < tokenFlags.Count; b++)
            for (int p = 0; p < width - 1; p++)
                flat[b * (width - 1) + p] = p + 1 < tokenFlags[b].Length && tokenFlags[b][p + 1];
        return tensor(flat, [tokenFlags.Count, width - 1], ScalarType.Bool, device);
    }

    /// <summary>log p(token t+1 | tokens ≤ t) for every position: [B, T - 1] from logits [B, T, V] and ids [B, T].</summary>
    public static Tensor NextTokenLogProbs(Tensor logits, Tensor ids)
    {
        using var scope = NewDisposeScope();
        long t = ids.shape[1];
        var logProbs = logits.narrow(1, 0, t - 1).to(ScalarType.Float32).log_softmax(-1);
        var next = ids.narrow(1, 1, t - 1).unsqueeze(-1);
        return logProbs.gather(-1, next).squeeze(-1).MoveToOuterDisposeScope();
    }
}
