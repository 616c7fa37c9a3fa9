using System.Text.RegularExpressions;

namespace Llama.Interop.Gguf;

/// <summary>
/// Hugging Face Llama tensor names to llama.cpp's (gguf-py <c>constants.py</c> MODEL_TENSOR names for
/// LLM_ARCH_LLAMA: <c>token_embd</c>, <c>blk.N.attn_q</c>, <c>ffn_gate</c>, <c>output_norm</c>, ...).
/// </summary>
public static partial class LlamaGgufNames
{
    public const string RopeFrequencies = "rope_freqs.weight";

    private static readonly Dictionary<string, string> Global = new(StringComparer.Ordinal)
    {
        ["model.embed_tokens.weight"] = "token_embd.weight",
        ["model.norm.weight"] = "output_norm.weight",
        ["lm_head.weight"] = "output.weight",
    };

    private static readonly Dictionary<string, string> PerLayer = new(StringComparer.Ordinal)
    {
        ["input_layernorm.weight"] = "attn_norm.weight",
        ["self_attn.q_proj.weight"] = "attn_q.weight",
        ["self_attn.k_proj.weight"] = "attn_k.weight",
        ["self_attn.v_proj.weight"] = "attn_v.weight",
        ["self_attn.o_proj.weight"] = "attn_output.weight",
        ["post_attention_layernorm.weight"] = "ffn_norm.weight",
        ["mlp.gate_proj.weight"] = "ffn_gate.weight",
        ["mlp.up_proj.weight"] = "ffn_up.weight",
        ["mlp.down_proj.weight"] = "ffn_down.weight",
    };

    [GeneratedRegex(@"^model\.layers\.(\d+)\.(.+)$")]
    private static partial Regex LayerName();

    /// <summary>The GGUF name of HF tensor <paramref name="hfName"/>; a name with no llama.cpp counterpart is an error.</summary>
    public static string ToGguf(string hfName)
    {
        if (Global.TryGetValue(hfName, out var name)) return name;
        var m = LayerName().Match(hfName);
        if (m.Success && PerLayer.TryGetValue(m.Groups[2].Value, out var suffix)) return $"blk.{m.Groups[1].Value}.{suffix}";
        throw new GgufExportException($"tensor '{hfName}' has no llama.cpp name (biases and other extras are not supported by this exporter)");
    }
}
