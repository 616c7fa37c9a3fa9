namespace Llama.Core.Config;

/// <summary>Parameter and FLOP counts of a config, computed from its shapes (no weights needed).</summary>
public sealed record ModelSize(
    long Embedding, long AttentionPerLayer, long FeedForwardPerLayer, long NormsPerLayer, long FinalNorm, long OutputHead,
    int Layers)
{
    public long PerLayer => AttentionPerLayer + FeedForwardPerLayer + NormsPerLayer;
    public long Total => Embedding + Layers * PerLayer + FinalNorm + OutputHead;

    /// <summary>Parameters that take part in matrix multiplies (the embedding is a lookup unless tied to the head).</summary>
    public long MatmulParameters => Layers * (AttentionPerLayer + FeedForwardPerLayer) + (OutputHead > 0 ? OutputHead : Embedding);

    public static ModelSize Of(LlamaConfig c)
    {
        long d = c.HiddenSize, hd = c.EffectiveHeadDim, q = c.NumAttentionHeads * hd, kv = c.EffectiveKeyValueHeads * hd;
        long attention = d * q + 2 * d * kv + q * d + (c.AttentionBias ? q + 2 * kv + d : 0);
        long ffn = 3 * d * c.IntermediateSize + (c.MlpBias ? 2L * c.IntermediateSize + d : 0);
        long embedding = (long)c.VocabSize * d;
        return new ModelSize(embedding, attention, ffn, 2 * d, d, c.TieWordEmbeddings ? 0 : embedding, c.NumHiddenLayers);
    }

    /// <summary>
    /// Forward FLOPs per token at a context of <paramref name="contextLength"/> tokens: 2 per matmul parameter
    /// plus attention scores and values, <c>4 * layers * heads * head_dim * context</c> (PaLM, appendix B,
    /// counts 6N + 12·L·H·Q·T for training = 3x this forward figure). Causal masking is not discounted, as in PaLM.
    /// </summary>
    public static double ForwardFlopsPerToken(LlamaConfig c, int contextLength) =>
        2.0 * Of(c).MatmulParameters + 4.0 * c.NumHiddenLayers * c.NumAttentionHeads * c.EffectiveHeadDim * contextLength;

    /// <summary>Training FLOPs per token: forward plus backward (twice the forward).</summary>
    public static double TrainingFlopsPerToken(LlamaConfig c, int contextLength) => 3 * ForwardFlopsPerToken(c, contextLength);
}
