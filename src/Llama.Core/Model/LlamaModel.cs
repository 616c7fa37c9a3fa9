using Llama.Core.Config;
using Llama.Core.Devices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>
/// A Llama 3 decoder-only language model (transformers' <c>LlamaForCausalLM</c>): the
/// <see cref="LlamaDecoder"/> body registered as <c>model</c> and an output head <c>lm_head</c>, or the
/// embedding reused as the head when <c>tie_word_embeddings</c> is set (Llama 3.2 1B/3B). It knows nothing
/// of parallelism, training or serving: those wrap it from outside.
/// </summary>
public sealed class LlamaModel : nn.Module
{
    public LlamaModel(LlamaConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(LlamaModel))
    {
        config.Validate("config");
        Config = config;
        Device = device ?? CPU;
        DType = dtype;
        Decoder = new LlamaDecoder(config, Device, dtype);
        register_module("model", Decoder);
        if (!config.TieWordEmbeddings)
        {
            LmHead = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false, device: Device, dtype: dtype);
            register_module("lm_head", LmHead);
        }
    }

    public LlamaConfig Config { get; }
    public Device Device { get; }
    public ScalarType DType { get; }
    public LlamaDecoder Decoder { get; }

    /// <summary>The untied output head; null when the head reuses the token embedding.</summary>
    public Linear? LmHead { get; }

    /// <summary>
    /// Next-token logits for <paramref name="inputIds"/> [B, T].
    /// </summary>
    /// <param name="cache">Incremental decoding: new tokens are placed after the cached ones and the cache advances (a <see cref="KvCache"/>, or a paged one).</param>
    /// <param name="positions">RoPE positions [B, T]; default: consecutive from the cache length (or 0).</param>
    /// <param name="documentIds">Packed documents [B, T]: attention stays inside each document (no cache).</param>
    /// <param name="lastPositionOnly">Compute logits for the last position only ([B, 1, V]): what decoding needs.</param>
    /// <returns>Logits [B, T, vocab] (or [B, 1, vocab]).</returns>
    public Tensor Forward(Tensor inputIds, IKvCache? cache = null, Tensor? positions = null, Tensor? documentIds = null,
        bool lastPositionOnly = false)
    {
        ValidateInputs(inputIds, cache, positions, documentIds);
        using var scope = NewDisposeScope();
        long b = inputIds.shape[0];
        int t = (int)inputIds.shape[1];
        positions ??= cache?.NextPositions(t, Device) ?? arange(0, t, ScalarType.Int64, Device).unsqueeze(0).expand(b, t);

        Tensor? mask = null;
        if (documentIds is not null) mask = AttentionMasks.Document(documentIds);
        else if (cache is not null) mask = cache.AttentionMask(t, Device);

        var hidden = Decoder.Forward(inputIds, positions, mask, cache);
        cache?.Advance(t);
        if (lastPositionOnly) hidden = hidden.narrow(1, t - 1, 1);
        var logits = LmHead is not null
            ? LmHead.call(hidden)
            : nn.functional.linear(hidden, Decoder.EmbedTokens.weight!);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>A cache sized for this model on its device and dtype.</summary>
    public KvCache CreateCache(int batchSize, int capacity) => new(Config, batchSize, capacity, Device, DType);

    /// <summary>
    /// Fresh weights as transformers initialises Llama: every linear and embedding weight from
    /// N(0, initializer_range), biases zero, norm weights one. Deterministic for a seed.
    /// </summary>
    public void InitializeWeights(long seed)
    {
        using var noGrad = no_grad();
        using var generator = SeededRandom.Create(seed);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("layernorm.weight") || name.EndsWith("norm.weight")) parameter.fill_(1.0);
            else if (name.EndsWith(".bias")) parameter.zero_();
            else SeededRandom.FillNormal(parameter, 0, Config.InitializerRange, generator);
        }
    }

    /// <summary>Libtorch aborts the process on some shape errors, so inputs are checked here first.</summary>
    private void ValidateInputs(Tensor inputIds, IKvCache? cache, Tensor? positions, Tensor? documentIds)
    {
        if (inputIds.dim() != 2) throw new ArgumentException($"input ids must be [batch, time]; got shape [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        if (inputIds.dtype is not (ScalarType.Int64 or ScalarType.Int32)) throw new ArgumentException($"input ids must be integers; got {inputIds.dtype}", nameof(inputIds));
        if (inputIds.shape[1] == 0) throw new ArgumentException("input ids are empty", nameof(inputIds));
        {
            var (minTensor, maxTensor) = inputIds.aminmax();
            long min = minTensor.item<long>(), max = maxTensor.item<long>();
            minTensor.Dispose();
            maxTensor.Dispose();
            if (min < 0 || max >= Config.VocabSize)
                throw new ArgumentException($"token id {(min < 0 ? min : max)} is outside the vocabulary [0, {Config.VocabSize})", nameof(inputIds));
        }
        if (positions is not null && !positions.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"positions shape [{string.Join(", ", positions.shape)}] must equal input ids shape [{string.Join(", ", inputIds.shape)}]", nameof(positions));
        if (documentIds is not null)
        {
            if (!documentIds.shape.SequenceEqual(inputIds.shape))
                throw new ArgumentException($"document ids shape [{string.Join(", ", documentIds.shape)}] must equal input ids shape [{string.Join(", ", inputIds.shape)}]", nameof(documentIds));
            if (cache is not null) throw new ArgumentException("a document mask is for training on packed sequences; it cannot be combined with a KV cache", nameof(documentIds));
        }
        if (cache is not null && cache.BatchSize != inputIds.shape[0])
            throw new ArgumentException($"batch size {inputIds.shape[0]} does not match the KV cache's {cache.BatchSize}", nameof(cache));
    }
}
