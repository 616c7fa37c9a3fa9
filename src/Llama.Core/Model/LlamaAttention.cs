using Llama.Core.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>
/// Grouped-query attention (Ainslie et al., 2023): <c>num_attention_heads</c> query heads share
/// <c>num_key_value_heads</c> key/value heads. Projections are named as in transformers
/// (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>o_proj</c>) so checkpoints load by name.
/// </summary>
public sealed class LlamaAttention : nn.Module
{
    private readonly int _heads, _kvHeads, _headDim;

    public LlamaAttention(LlamaConfig config, Device device, ScalarType dtype) : base(nameof(LlamaAttention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.EffectiveKeyValueHeads;
        _headDim = config.EffectiveHeadDim;
        long d = config.HiddenSize;
        QProj = nn.Linear(d, _heads * _headDim, config.AttentionBias, device, dtype);
        KProj = nn.Linear(d, _kvHeads * _headDim, config.AttentionBias, device, dtype);
        VProj = nn.Linear(d, _kvHeads * _headDim, config.AttentionBias, device, dtype);
        OProj = nn.Linear(_heads * _headDim, d, config.AttentionBias, device, dtype);
        register_module(QProjName, QProj);
        register_module(KProjName, KProj);
        register_module(VProjName, VProj);
        register_module(OProjName, OProj);
    }

    public const string QProjName = "q_proj", KProjName = "k_proj", VProjName = "v_proj", OProjName = "o_proj";
    public static IReadOnlyList<string> ProjectionNames { get; } = [QProjName, KProjName, VProjName, OProjName];

    // Module<Tensor, Tensor> rather than Linear: LoRA swaps in adapted layers from outside (ReplaceProjection).
    public nn.Module<Tensor, Tensor> QProj { get; private set; }
    public nn.Module<Tensor, Tensor> KProj { get; private set; }
    public nn.Module<Tensor, Tensor> VProj { get; private set; }
    public nn.Module<Tensor, Tensor> OProj { get; private set; }

    /// <summary>The projection registered as <paramref name="name"/> (q_proj, k_proj, v_proj or o_proj).</summary>
    public nn.Module<Tensor, Tensor> Projection(string name) => name switch
    {
        QProjName => QProj,
        KProjName => KProj,
        VProjName => VProj,
        OProjName => OProj,
        _ => throw new ArgumentException($"'{name}' is not a projection of attention ({string.Join(", ", ProjectionNames)})", nameof(name)),
    };

    /// <summary>Puts <paramref name="replacement"/> (same input and output widths, e.g. a LoRA-adapted linear) in place of one projection.</summary>
    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> replacement)
    {
        var old = Projection(name);
        if (name == QProjName) QProj = replacement;
        else if (name == KProjName) KProj = replacement;
        else if (name == VProjName) VProj = replacement;
        else OProj = replacement;
        ProjectionSwap.Reregister(this, name, old, replacement);
    }

    /// <summary>
    /// Applied to keys and values after RoPE, before attention ([B, kv, T, d] → [B, kv, S, d]); none by default.
    /// Context parallelism sets it from outside to an all-gather over the sequence (as torchtitan swaps SDPA), and
    /// then passes a mask of shape [B, 1, T, S]. Projections are invoked through <c>call</c> so that forward hooks
    /// (tensor parallelism's collectives) run.
    /// </summary>
    public Func<Tensor, Tensor>? KeyValueExchange { get; set; }

    /// <param name="x">[B, T, hidden]</param>
    /// <param name="cos">RoPE cosines [B, 1, T, head_dim]</param>
    /// <param name="sin">RoPE sines [B, 1, T, head_dim]</param>
    /// <param name="mask">Boolean [B or 1, 1, T, S] (true = may attend), or null for plain causal attention.</param>
    /// <param name="cache">When given, this step's keys/values are appended and attention spans all cached positions.</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, IKvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        // [B, T, H*d] -> [B, H, T, d]. Head counts are inferred (-1) because tensor parallelism shards the
        // projections from outside and each rank then holds H/tp query and kv/tp key-value heads (torchtitan does the same).
        var q = QProj.call(x).view(b, t, -1, _headDim).transpose(1, 2);
        var k = KProj.call(x).view(b, t, -1, _headDim).transpose(1, 2);
        var v = VProj.call(x).view(b, t, -1, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null) (k, v) = cache.Append(layer, k, v); // [B, kv, S, d] with S = cached + T
        if (KeyValueExchange is { } exchange) (k, v) = (exchange(k), exchange(v));

        // Each group of H/kv query heads reads the same key/value head (transformers' repeat_kv order).
        // TorchSharp's SDPA has no enable_gqa flag, so expand explicitly.
        if (_kvHeads != _heads)
        {
            int groups = _heads / _kvHeads; // the same ratio on every tensor-parallel rank
            k = k.repeat_interleave(groups, dim: 1);
            v = v.repeat_interleave(groups, dim: 1);
        }

        // Without a mask, a fresh square block is causal; a single new token may see every cached position.
        bool causal = mask is null && t > 1;
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask, is_casual: causal);
        var merged = attended.transpose(1, 2).reshape(b, t, -1); // [B, T, H*d]
        return OProj.call(merged).MoveToOuterDisposeScope();
    }
}
