namespace Llama.Core.Config;

/// <summary>
/// Named model shapes. The tiny ones size the defaults so the whole lifecycle runs in minutes on 2 CPU cores;
/// the paper's shapes (Llama 3.1 8B / 70B / 405B, "The Llama 3 Herd of Models" table 3 and the released
/// config.json files) are here so the same code describes the real models.
/// </summary>
public static class LlamaPresets
{
    /// <summary>Vocabulary of the tiny presets: an 8K byte-level BPE plus Llama 3's 256 special tokens.</summary>
    public const int TinyVocabulary = 8192 + 256;

    private static LlamaConfig Tiny(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int context) => new()
    {
        VocabSize = vocab, HiddenSize = dim, IntermediateSize = ffn, NumHiddenLayers = layers,
        NumAttentionHeads = heads, NumKeyValueHeads = kvHeads, HeadDim = dim / heads,
        MaxPositionEmbeddings = context, RmsNormEps = 1e-5, RopeTheta = 500_000, RopeScaling = null,
        TieWordEmbeddings = false, BosTokenId = vocab - 256, EosTokenId = [vocab - 256 + 1, vocab - 256 + 9],
        TorchDtype = "float32",
    };

    // Llama 3.1 released configs: vocab 128256, bos 128000, eos 128001 (base), RoPE theta 500000, llama3
    // scaling to a 131072-token context, RMSNorm eps 1e-5, untied head, bf16 weights.
    private static LlamaConfig Llama31(int dim, int layers, int heads, int ffn) => new()
    {
        VocabSize = 128_256, HiddenSize = dim, IntermediateSize = ffn, NumHiddenLayers = layers,
        NumAttentionHeads = heads, NumKeyValueHeads = 8, HeadDim = 128, MaxPositionEmbeddings = 131_072,
        RmsNormEps = 1e-5, RopeTheta = 500_000, RopeScaling = RopeScaling.Llama31, TieWordEmbeddings = false,
        BosTokenId = 128_000, EosTokenId = [128_001], TorchDtype = "bfloat16",
    };

    private static readonly Dictionary<string, Func<LlamaConfig>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        // ~1.8M parameters: seconds per run, for smoke tests.
        ["smoke"] = () => Tiny(dim: 128, layers: 4, heads: 4, kvHeads: 2, ffn: 384, vocab: 4096 + 256, context: 256),
        // ~8.7M parameters: the default demo model (about 2,400 training tokens/s on 2 cores).
        ["tiny"] = () => Tiny(dim: 256, layers: 6, heads: 8, kvHeads: 4, ffn: 768, vocab: TinyVocabulary, context: 512),
        // ~33M parameters.
        ["small"] = () => Tiny(dim: 512, layers: 8, heads: 8, kvHeads: 4, ffn: 1536, vocab: TinyVocabulary, context: 1024),
        ["llama3.1-8b"] = () => Llama31(dim: 4096, layers: 32, heads: 32, ffn: 14_336),
        ["llama3.1-70b"] = () => Llama31(dim: 8192, layers: 80, heads: 64, ffn: 28_672),
        ["llama3.1-405b"] = () => Llama31(dim: 16_384, layers: 126, heads: 128, ffn: 53_248),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static bool TryGet(string name, out LlamaConfig config)
    {
        if (Factories.TryGetValue(name, out var make)) { config = make(); return true; }
        config = null!;
        return false;
    }

    public static LlamaConfig Get(string name) => TryGet(name, out var config)
        ? config
        : throw new LlamaConfigException($"unknown preset '{name}' (known: {string.Join(", ", Names)})");
}
