using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Llama.Core.Config;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Core.Generation;

/// <summary>
/// Batch-1 decoding of a <see cref="LlamaModel"/> on the CPU in plain C# SIMD, float32, with no libtorch call per
/// step. At small sizes a TorchSharp decode step is bound by per-call overhead (~100 libtorch calls, each a few
/// microseconds), not by arithmetic; here a step is the model's matrix-vector products (split over threads by rows,
/// q/k/v and gate/up fused into one pass each) plus a few loops, so it runs at the speed of reading the weights.
/// Same math as <see cref="LlamaModel.Forward"/> (transformers' rotate-half RoPE, RMSNorm in float32, GQA,
/// SwiGLU); tested against the transformers logits. Holds a copy of the weights and its own KV cache.
/// Not thread-safe: one sequence at a time.
/// </summary>
public sealed class SimdDecoder
{
    private sealed record Layer(float[] AttnNorm, float[] Qkv, float[] O, float[] FfnNorm, float[] GateUp, float[] Down, float[] Keys, float[] Values);

    private readonly LlamaConfig _config;
    private readonly int _dim, _heads, _kvHeads, _headDim, _ffn, _vocab, _threads;
    private readonly float _eps;
    private readonly float[] _embedding, _finalNorm, _head, _invFreq;
    private readonly Layer[] _layers;
    // Scratch for one step.
    private readonly float[] _x, _normed, _qkv, _attention, _projected, _gateUp, _hidden, _scores, _logits;

    public SimdDecoder(LlamaModel model, int capacity, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        if (model.Config.AttentionBias || model.Config.MlpBias) throw new NotSupportedException("the SIMD decoder covers bias-free Llama models");
        _config = model.Config;
        Capacity = Math.Min(capacity, _config.MaxPositionEmbeddings);
        _threads = threads > 0 ? threads : Math.Max(1, get_num_threads());
        (_dim, _heads, _kvHeads, _headDim, _ffn, _vocab) = (_config.HiddenSize, _config.NumAttentionHeads, _config.EffectiveKeyValueHeads,
            _config.EffectiveHeadDim, _config.IntermediateSize, _config.VocabSize);
        _eps = (float)_config.RmsNormEps;
        _invFreq = RotaryEmbedding.InverseFrequencies(_config);

        var p = model.named_parameters().ToDictionary(e => e.name, e => e.parameter);
        _embedding = Floats(p["model.embed_tokens.weight"]);
        _finalNorm = Floats(p["model.norm.weight"]);
        _head = model.LmHead is null ? _embedding : Floats(p["lm_head.weight"]);
        int kvWidth = _kvHeads * _headDim;
        _layers = new Layer[_config.NumHiddenLayers];
        for (int i = 0; i < _layers.Length; i++)
        {
            string prefix = $"model.layers.{i}.";
            _layers[i] = new Layer(
                Floats(p[prefix + "input_layernorm.weight"]),
                [.. Floats(p[prefix + "self_attn.q_proj.weight"]), .. Floats(p[prefix + "self_attn.k_proj.weight"]), .. Floats(p[prefix + "self_attn.v_proj.weight"])],
                Floats(p[prefix + "self_attn.o_proj.weight"]),
                Floats(p[prefix + "post_attention_layernorm.weight"]),
                [.. Floats(p[prefix + "mlp.gate_proj.weight"]), .. Floats(p[prefix + "mlp.up_proj.weight"])],
                Floats(p[prefix + "mlp.down_proj.weight"]),
                new float[Capacity * kvWidth], new float[Capacity * kvWidth]);
        }
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

    /// <summary>Positions the cache can hold.</summary>
    public int Capacity { get; }

    /// <summary>Positions cached so far (the next token's position).</summary>
    public int Length { get; private set; }

    public void Reset() => Length = 0;

    /// <summary>Feeds one token at position <see cref="Length"/> and returns the next-token logits (a buffer reused by the next call).</summary>
    public ReadOnlySpan<float> Step(int token)
    {
        if ((uint)token >= (uint)_vocab) throw new ArgumentOutOfRangeException(nameof(token), token, $"outside the vocabulary [0, {_vocab})");
        if (Length >= Capacity) throw new InvalidOperationException($"the decoder's cache is full ({Capacity} positions)");
        int position = Length;
        _embedding.AsSpan(token * _dim, _dim).CopyTo(_x);
        int qWidth = _heads * _headDim, kvWidth = _kvHeads * _headDim;
        foreach (var layer in _layers)
        {
            // Attention: x += o(attn(rope(q), rope(k), v)) over norm(x).
            RmsNorm(_x, layer.AttnNorm, _normed.AsSpan(0, _dim));
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
            RmsNorm(_x, layer.FfnNorm, _normed.AsSpan(0, _dim));
            MatVec(layer.GateUp, _normed, _dim, _gateUp);
            for (int i = 0; i < _ffn; i++)
            {
                float g = _gateUp[i];
                _hidden[i] = g / (1f + MathF.Exp(-g)) * _gateUp[_ffn + i];
            }
            MatVec(layer.Down, _hidden, _ffn, _projected);
            Add(_x, _projected);
        }
        RmsNorm(_x, _finalNorm, _normed.AsSpan(0, _dim));
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

    private static float[] Floats(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }

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
    /// <c>output[r] = W[r, :] · x[..columns]</c> for a row-major W; rows split over the threads (the caller takes the first
    /// share). Arrays rather than spans so the worker lambda can reach them without copies.
    /// </summary>
    private void MatVec(float[] weights, float[] x, int columns, float[] output)
    {
        int rows = output.Length;
        if (_threads == 1 || rows * columns < 32_768)
        {
            MatVecRows(weights, x, columns, output, 0, rows);
            return;
        }
        int chunk = (rows + _threads - 1) / _threads;
        Parallel.For(0, _threads, part => MatVecRows(weights, x, columns, output, part * chunk, Math.Min(rows, (part + 1) * chunk)));
    }

    private static void MatVecRows(float[] weights, float[] x, int columns, float[] output, int start, int end)
    {
        var input = x.AsSpan(0, columns);
        for (int r = start; r < end; r++) output[r] = Dot(weights.AsSpan(r * columns, columns), input);
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
