using Llama.Core.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>One pre-norm transformer block: <c>h = x + attn(norm(x)); out = h + mlp(norm(h))</c>.</summary>
public sealed class LlamaDecoderLayer : nn.Module
{
    private readonly int _index;

    public LlamaDecoderLayer(LlamaConfig config, int index, Device device, ScalarType dtype) : base(nameof(LlamaDecoderLayer))
    {
        _index = index;
        SelfAttention = new LlamaAttention(config, device, dtype);
        Mlp = new LlamaMlp(config, device, dtype);
        InputNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        PostAttentionNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        register_module("self_attn", SelfAttention);
        register_module("mlp", Mlp);
        register_module("input_layernorm", InputNorm);
        register_module("post_attention_layernorm", PostAttentionNorm);
    }

    public LlamaAttention SelfAttention { get; }
    public LlamaMlp Mlp { get; }
    public RmsNorm InputNorm { get; }
    public RmsNorm PostAttentionNorm { get; }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, IKvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = x.add(SelfAttention.Forward(InputNorm.call(x), cos, sin, mask, cache, _index), KeptScalars.One);
        var output = h.add(Mlp.forward(PostAttentionNorm.call(h)), KeptScalars.One);
        return output.MoveToOuterDisposeScope();
    }
}
