using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Llama.Core.Config;
using Llama.Core.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Generation;

/// <summary>
/// Batch-1 decoding of a <see cref="LlamaModel"/> on the CPU in plain C# SIMD, float32, with no libtorch call per
/// step. At small sizes a TorchSharp decode step is bound by per-call overhead (~100 libtorch calls, each a few
/// microseconds), not by arithmetic; here a step is the model's matrix-vector products (split over threads by rows,
/// q/k/v and gate/up as one pass each) plus a few loops, so it runs at the speed of reading the weights.
/// Same math as <see cref="LlamaModel.Forward"/> (transformers' rotate-half RoPE, RMSNorm in float32, GQA,
/// SwiGLU); tested against the transformers logits. Reads the model's weights in place (no copy: it sees the live
/// parameters and costs no memory but its KV cache); the model must outlive it. <see cref="Unsupported"/> says
/// when it does not apply. Not thread-safe: one sequence at a time.
/// </summary>
public sealed class SimdDecoder
{
    /// <summary>A row-major float32 matrix read in place: its first element's address and its row count.</summary>
    private readonly record struct Rows(nint Data, int Count);

    private sealed record Layer(Rows AttnNorm, Rows[] Qkv, Rows[] O, Rows FfnNorm, Rows[] GateUp, Rows[] Down, float[] Keys, float[] Values);

    private readonly LlamaModel _model;
    private readonly LlamaConfig _config;
    private readonly int _dim, _heads, _kvHeads, _headDim, _ffn, _vocab, _threads;
    private readonly float _eps;
    private readonly float[] _invFreq;
    private readonly Rows _embedding, _finalNorm;
    private readonly Rows[] _head;
    private readonly Layer[] _layers;
    // Scratch for one step.
    private readonly float[] _x, _normed, _qkv, _attention, _projected, _gateUp, _hidden, _scores, _logits;

    /// <exception cref="NotSupportedException">The model is not one this decoder covers (<see cref="Unsupported"/> says why).</exception>
    public SimdDecoder(LlamaModel model, int capacity, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        if (Unsupported(model) is { } reason) throw new NotSupportedException($"the SIMD decoder does not apply: {reason}");
        _model = model;
        _config = model.Config;
        Capacity = Math.Min(capacity, _config.MaxPositionEmbeddings);
        _threads = threads > 0 ? threads : Math.Max(1, get_num_threads());
        (_dim, _heads, _kvHeads, _headDim, _ffn, _vocab) = (_config.HiddenSize, _config.NumAttentionHeads, _config.EffectiveKeyValueHeads,
            _config.EffectiveHeadDim, _config.IntermediateSize, _config.VocabSize);
        _eps = (float)_config.RmsNormEps;
        _invFreq = RotaryEmbedding.InverseFrequencies(_config);

        var decoder = model.Decoder;
        _embedding = View(decoder.EmbedTokens.weight!);
        _finalNorm = View(decoder.Norm.Weight);
        _head = [model.LmHead is null ? _embedding : View(model.LmHead.weight!)];
        int kvWidth = _kvHeads * _headDim;
        _layers = decoder.Layers.Select(layer =>
        {
            var (attention, mlp) = (layer.SelfAttention, layer.Mlp);
            return new Layer(View(layer.InputNorm.Weight),
                [View(((Linear)attention.QProj).weight!), View(((Linear)attention.KProj).weight!), View(((Linear)attention.VProj).weight!)],
                [View(((Linear)attention.OProj).weight!)],
                View(layer.PostAttentionNorm.Weight),
                [View(((Linear)mlp.GateProj).weight!), View(((Linear)mlp.UpProj).weight!)],
                [View(((Linear)mlp.DownProj).weight!)],
                new float[Capacity * kvWidth], new float[Capacity * kvWidth]);
        }).ToArray();
        _x = new float[_dim];
        _normed = new float[Math.Max(_dim, _ffn)];
        _qkv = new float[(_heads + 2 * _kvHeads) * _headDim];
        _attention = new float[_heads * _headDim];
        _projected = new float[_dim];
        _gateUp = new float[2 * _ffn];
        _hidden = new float[_ffn];
        _scores = new float[Capacity];
        _logits = new float[_vocab];
    }

    /// <summary>
    /// Why this decoder cannot run <paramref name="model"/> (null when it can): it covers bias-free float32 Llama models
    /// on the CPU whose projections are plain linear layers of the config's full shapes (not FP8 layers, not
    /// tensor-parallel shards, no context-parallel key/value exchange), each weight contiguous in memory.
    /// </summary>
    public static string? Unsupported(LlamaModel model)
    {
        var config = model.Config;
        if (model.Device.type != DeviceType.CPU) return $"the model is on {model.Device}, not the CPU";
        if (model.DType != ScalarType.Float32) return $"the model's weights are {model.DType}, not float32";
        if (config.AttentionBias || config.MlpBias) return "the model has biases";
        int d = config.HiddenSize, q = config.NumAttentionHeads * config.EffectiveHeadDim, kv = config.EffectiveKeyValueHeads * config.EffectiveHeadDim;
        var decoder = model.Decoder;
        string? Check(string name, Tensor? w, params long[] shape) =>
            w is null ? $"{name} has no weight"
            : w.dtype != ScalarType.Float32 ? $"{name} is {w.dtype}"
            : w.device_type != DeviceType.CPU ? $"{name} is on {w.device}"
            : !w.shape.SequenceEqual(shape) ? $"{name} has shape [{string.Join(", ", w.shape)}], not [{string.Join(", ", shape)}]"
            : !w.is_contiguous() ? $"{name} is not contiguous"
            : null;
        if ((Check("embed_tokens", decoder.EmbedTokens.weight, config.VocabSize, d) ?? Check("norm", decoder.Norm.Weight, d)
            ?? (model.LmHead is null ? null : Check("lm_head", model.LmHead.weight, config.VocabSize, d))) is { } top) return top;
        for (int i = 0; i < decoder.Layers.Count; i++)
        {
            var layer = decoder.Layers[i];
            var (attention, mlp) = (layer.SelfAttention, layer.Mlp);
            if (attention.KeyValueExchange is not null) return $"layer {i} exchanges keys and values (context parallelism)";
            if (attention.QProj is not Linear qProj || attention.KProj is not Linear kProj || attention.VProj is not Linear vProj
                || attention.OProj is not Linear oProj)
                return $"layer {i}'s attention projections are not plain linear layers (e.g. LoRA adapters attached)";
            if (mlp.GateProj is not Linear gate || mlp.UpProj is not Linear up || mlp.DownProj is not Linear down)
                return $"layer {i}'s feed-forward projections are not plain linear layers (e.g. FP8)";
            string p = $"layer {i} ";
            if ((Check(p + "input_layernorm", layer.InputNorm.Weight, d) ?? Check(p + "post_attention_layernorm", layer.PostAttentionNorm.Weight, d)
                ?? Check(p + "q_proj", qProj.weight, q, d) ?? Check(p + "k_proj", kProj.weight, kv, d)
                ?? Check(p + "v_proj", vProj.weight, kv, d) ?? Check(p + "o_proj", oProj.weight, d, q)
                ?? Check(p + "gate_proj", gate.weight, config.IntermediateSize, d) ?? Check(p + "up_proj", up.weight, config.IntermediateSize, d)
                ?? Check(p + "down_proj", down.weight, d, config.IntermediateSize)) is { } problem) return problem;
        }
        return null;
    }

    /// <summary>Positions the cache can hold.</summary>
    public int Capacity { get; }

    /// <summary>Positions cached so far (the next token's position).</summary>
    public int Length { get; private set; }

    public void Reset() => Length = 0;

    /// <summary>
    /// Starts a sequence from <paramref name="prompt"/> the fast way for many tokens: one <see cref="LlamaModel.Forward"/>
    /// over the whole prompt (libtorch's matrix products), whose keys and values are then copied into this decoder's
    /// cache. Returns the logits after the prompt (a buffer reused by the next call); decode continues with <see cref="Step"/>.
    /// </summary>
    public ReadOnlySpan<float> Prefill(IReadOnlyList<int> prompt)
    {
        if (prompt.Count == 0) throw new ArgumentException("the prompt is empty", nameof(prompt));
        if (prompt.Count > Capacity) throw new ArgumentException($"the prompt has {prompt.Count} tokens; the decoder's cache holds {Capacity}", nameof(prompt));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var cache = _model.CreateCache(1, prompt.Count);
        var ids = tensor(prompt.Select(i => (long)i).ToArray(), ScalarType.Int64).unsqueeze(0);
        _model.Forward(ids, cache, lastPositionOnly: true).reshape(-1).data<float>().CopyTo(_logits);
        for (int i = 0; i < _layers.Length; i++)
        {
            // [1, kv_heads, T, d] -> [T, kv_heads, d]: this decoder's row per position.
            var (keys, values) = cache.Filled(i);
            keys[0].transpose(0, 1).contiguous().data<float>().CopyTo(_layers[i].Keys);
            values[0].transpose(0, 1).contiguous().data<float>().CopyTo(_layers[i].Values);
        }
        Length = prompt.Count;
        return _logits;
    }

    /// <summary>Feeds one token at position <see cref="Length"/> and returns the next-token logits (a buffer reused by the next call).</summary>
    public ReadOnlySpan<float> Step(int token)
    {
        if ((uint)token >= (uint)_vocab) throw new ArgumentOutOfRangeException(nameof(token), token, $"outside the vocabulary [0, {_vocab})");
        if (Length >= Capacity) throw new InvalidOperationException($"the decoder's cache is full ({Capacity} positions)");
        int position = Length;
        Floats(_embedding, (long)token * _dim, _dim).CopyTo(_x);
        int qWidth = _heads * _headDim, kvWidth = _kvHeads * _headDim;
        foreach (var layer in _layers)
        {
            // Attention: x += o(attn(rope(q), rope(k), v)) over norm(x).
            RmsNorm(_x, Floats(layer.AttnNorm, 0, _dim), _normed.AsSpan(0, _dim));
            MatVec(layer.Qkv, _normed, _dim, _qkv);
            var q = _qkv.AsSpan(0, qWidth);
            var k = _qkv.AsSpan(qWidth, kvWidth);
            for (int h = 0; h < _heads; h++) Rope(q.Slice(h * _headDim, _headDim), position);
            for (int h = 0; h < _kvHeads; h++) Rope(k.Slice(h * _headDim, _headDim), position);
            k.CopyTo(layer.Keys.AsSpan(position * kvWidth));
            _qkv.AsSpan(qWidth + kvWidth, kvWidth).CopyTo(layer.Values.AsSpan(position * kvWidth));
            Attend(q, layer.Keys, layer.Values, position + 1);
            MatVec(layer.O, _attention, qWidth, _projected);
            Add(_x, _projected);

            // SwiGLU: x += down(silu(gate(norm(x))) * up(norm(x))).
            RmsNorm(_x, Floats(layer.FfnNorm, 0, _dim), _normed.AsSpan(0, _dim));
            MatVec(layer.GateUp, _normed, _dim, _gateUp);
            for (int i = 0; i < _ffn; i++)
            {
                float g = _gateUp[i];
                _hidden[i] = g / (1f + MathF.Exp(-g)) * _gateUp[_ffn + i];
            }
            MatVec(layer.Down, _hidden, _ffn, _projected);
            Add(_x, _projected);
        }
        RmsNorm(_x, Floats(_finalNorm, 0, _dim), _normed.AsSpan(0, _dim));
        MatVec(_head, _normed, _dim, _logits);
        Length++;
        return _logits;
    }

    /// <summary>Greedy decoding from a fresh cache: the prompt token by token, then <paramref name="maxNewTokens"/> argmax tokens.</summary>
    public IEnumerable<int> GenerateGreedy(IReadOnlyList<int> prompt, int maxNewTokens)
    {
        if (prompt.Count == 0) throw new ArgumentException("the prompt is empty", nameof(prompt));
        if (prompt.Count + maxNewTokens > Capacity + 1) throw new ArgumentException($"{prompt.Count} prompt + {maxNewTokens} new tokens exceed the cache of {Capacity}");
        Reset();
        int next = 0;
        foreach (var token in prompt) next = ArgMax(Step(token));
        for (int i = 0; i < maxNewTokens; i++)
        {
            yield return next;
            if (i < maxNewTokens - 1) next = ArgMax(Step(next));
        }
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>The address of a contiguous CPU float32 tensor's data (libtorch's memory does not move; the model keeps it alive).</summary>
    private static unsafe Rows View(Tensor t) =>
        new((nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes)), (int)t.shape[0]);

    private static unsafe ReadOnlySpan<float> Floats(Rows matrix, long offset, int length) =>
        new((float*)matrix.Data + offset, length);

    /// <summary>transformers' LlamaRMSNorm in float32: <c>x / sqrt(mean(x^2) + eps) * weight</c>.</summary>
    private void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> output)
    {
        float scale = 1f / MathF.Sqrt(Dot(x, x) / x.Length + _eps);
        for (int i = 0; i < x.Length; i++) output[i] = weight[i] * (x[i] * scale);
    }

    /// <summary>Rotate-half RoPE on one head: channel i pairs with i + d/2, angle = position * inv_freq[i] in float32.</summary>
    private void Rope(Span<float> head, int position)
    {
        int half = _headDim / 2;
        for (int i = 0; i < half; i++)
        {
            float angle = position * _invFreq[i];
            float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
            float x1 = head[i], x2 = head[i + half];
            head[i] = x1 * cos - x2 * sin;
            head[i + half] = x2 * cos + x1 * sin;
        }
    }

    /// <summary>Softmax attention of each query head over the cached positions of its key/value head (GQA groups share one).</summary>
    private void Attend(ReadOnlySpan<float> q, float[] keys, float[] values, int length)
    {
        int kvWidth = _kvHeads * _headDim, group = _heads / _kvHeads;
        float scale = 1f / MathF.Sqrt(_headDim);
        var scores = _scores.AsSpan(0, length);
        for (int h = 0; h < _heads; h++)
        {
            int kvOffset = h / group * _headDim;
            var qh = q.Slice(h * _headDim, _headDim);
            float max = float.NegativeInfinity;
            for (int t = 0; t < length; t++)
            {
                scores[t] = Dot(qh, keys.AsSpan(t * kvWidth + kvOffset, _headDim)) * scale;
                max = Math.Max(max, scores[t]);
            }
            float sum = 0;
            for (int t = 0; t < length; t++) sum += scores[t] = MathF.Exp(scores[t] - max);
            var output = _attention.AsSpan(h * _headDim, _headDim);
            output.Clear();
            for (int t = 0; t < length; t++) AddScaled(output, values.AsSpan(t * kvWidth + kvOffset, _headDim), scores[t] / sum);
        }
    }

    /// <summary>
    /// <c>output[r] = W[r, :] · x[..columns]</c> where W is the row-wise concatenation of <paramref name="parts"/> (q, k and v
    /// as one pass); rows split over the threads (the caller takes the first share).
    /// </summary>
    private void MatVec(Rows[] parts, float[] x, int columns, float[] output)
    {
        int rows = output.Length;
        if (_threads == 1 || rows * columns < 32_768)
        {
            MatVecRows(parts, x, columns, output, 0, rows);
            return;
        }
        int chunk = (rows + _threads - 1) / _threads;
        Parallel.For(0, _threads, part => MatVecRows(parts, x, columns, output, part * chunk, Math.Min(rows, (part + 1) * chunk)));
    }

    private static void MatVecRows(Rows[] parts, float[] x, int columns, float[] output, int start, int end)
    {
        var input = x.AsSpan(0, columns);
        int first = 0; // the global row index of this part's first row
        foreach (var part in parts)
        {
            for (int r = Math.Max(start, first); r < Math.Min(end, first + part.Count); r++)
                output[r] = Dot(Floats(part, (long)(r - first) * columns, columns), input);
            first += part.Count;
        }
    }

    private static void Add(Span<float> x, ReadOnlySpan<float> y)
    {
        for (int i = 0; i < x.Length; i++) x[i] += y[i];
    }

    private static void AddScaled(Span<float> x, ReadOnlySpan<float> y, float a)
    {
        for (int i = 0; i < x.Length; i++) x[i] += a * y[i];
    }

    /// <summary>Dot product with four independent vector accumulators (FMA where the CPU has it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length, i = 0;
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 64)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 64; i += 64)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)i), Vector512.LoadUnsafe(ref pb, (nuint)i), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)(i + 16)), Vector512.LoadUnsafe(ref pb, (nuint)(i + 16)), s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)(i + 32)), Vector512.LoadUnsafe(ref pb, (nuint)(i + 32)), s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)(i + 48)), Vector512.LoadUnsafe(ref pb, (nuint)(i + 48)), s3);
            }
            sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        }
        else if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 32; i += 32)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pa, (nuint)i), Vector256.LoadUnsafe(ref pb, (nuint)i), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pa, (nuint)(i + 8)), Vector256.LoadUnsafe(ref pb, (nuint)(i + 8)), s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pa, (nuint)(i + 16)), Vector256.LoadUnsafe(ref pb, (nuint)(i + 16)), s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pa, (nuint)(i + 24)), Vector256.LoadUnsafe(ref pb, (nuint)(i + 24)), s3);
            }
            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }
}
