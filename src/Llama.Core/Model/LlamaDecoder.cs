using Llama.Core.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>
/// The transformer body: token embedding, the decoder layers and the final norm. Registered as
/// <c>model</c> inside <see cref="LlamaModel"/>, mirroring transformers' <c>LlamaModel</c>, so parameter
/// names are exactly those of a Hugging Face checkpoint (<c>model.layers.3.mlp.up_proj.weight</c>).
/// </summary>
public sealed class LlamaDecoder : nn.Module
{
    public LlamaDecoder(LlamaConfig config, Device device, ScalarType dtype) : base(nameof(LlamaDecoder))
    {
        EmbedTokens = nn.Embedding(config.VocabSize, config.HiddenSize, device: device, dtype: dtype);
        Layers = new ModuleList<LlamaDecoderLayer>(
            Enumerable.Range(0, config.NumHiddenLayers).Select(i => new LlamaDecoderLayer(config, i, device, dtype)).ToArray());
        Norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        Rotary = new RotaryEmbedding(config, device);
        register_module("embed_tokens", EmbedTokens);
        register_module("layers", Layers);
        register_module("norm", Norm);
        register_module("rotary_emb", Rotary);
    }

    public Embedding EmbedTokens { get; }
    public ModuleList<LlamaDecoderLayer> Layers { get; }
    public RmsNorm Norm { get; }
    public RotaryEmbedding Rotary { get; }

    /// <summary>Hidden states after the final norm, [B, T, hidden].</summary>
    public Tensor Forward(Tensor inputIds, Tensor positions, Tensor? mask, IKvCache? cache)
    {
        using var scope = NewDisposeScope();
        var (cos, sin) = Rotary.Angles(positions);
        var h = EmbedTokens.call(inputIds);
        foreach (var layer in Layers)
            h = layer.Forward(h, cos, sin, mask, cache);
        return Norm.call(h).MoveToOuterDisposeScope();
    }
}
