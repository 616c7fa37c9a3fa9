using LLama;
using LLama.Common;
using LLama.Native;

namespace Llama.Interop.LlamaCpp;

/// <summary>Settings of a llama.cpp context; the KV cache is float32 by default so that comparisons with our float32 engine are exact-ish.</summary>
public sealed record LlamaCppOptions
{
    public int Threads { get; init; } = 2;
    /// <summary>KV cells in all; each of the <see cref="Sequences"/> gets an equal share.</summary>
    public int ContextSize { get; init; } = 512;
    /// <summary>Most tokens one decode call takes (prompt chunks, or one token per stream in parallel decoding).</summary>
    public int BatchSize { get; init; } = 512;
    /// <summary>Independent sequences the context holds at once (llama.cpp's parallel decoding).</summary>
    public int Sequences { get; init; } = 1;
    /// <summary>float32 K/V (llama.cpp defaults to f16, which would add rounding our engine does not have).</summary>
    public bool Float32Cache { get; init; } = true;
}

/// <summary>Tokens per sequence, and the time spent prefilling prompts and decoding the rest.</summary>
public sealed record GreedyRun(int[][] Tokens, TimeSpan Prefill, TimeSpan Decode);

/// <summary>
/// llama.cpp (the CPU build LLamaSharp ships) running a GGUF file, driven at the token level: we hand it ids and
/// read its logits, so the comparison with our engine involves neither side's sampler nor text handling.
/// </summary>
public sealed class LlamaCppEngine : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;

    static LlamaCppEngine()
    {
        // llama.cpp logs every load step to stderr; keep warnings and errors only. Must run before the library loads.
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (level is LLamaLogLevel.Warning or LLamaLogLevel.Error) Console.Error.Write($"llama.cpp: {message}");
        });
    }

    public LlamaCppEngine(string ggufPath, LlamaCppOptions? options = null)
    {
        if (!File.Exists(ggufPath)) throw new FileNotFoundException($"{ggufPath}: GGUF file not found", ggufPath);
        Options = options ?? new LlamaCppOptions();
        var parameters = new ModelParams(ggufPath)
        {
            ContextSize = (uint)Options.ContextSize,
            GpuLayerCount = 0,
            Threads = Options.Threads,
            BatchThreads = Options.Threads,
            BatchSize = (uint)Options.BatchSize,
            UBatchSize = (uint)Options.BatchSize,
            SeqMax = (uint)Options.Sequences,
            // Each sequence its own n_ctx / n_seq cells: with one unified cache every token would attend over (masked)
            // cells of all sequences, which costs parallel decoding a factor of the stream count in attention.
            KVUnified = false,
        };
        if (Options.Float32Cache)
        {
            parameters.TypeK = GGMLType.GGML_TYPE_F32;
            parameters.TypeV = GGMLType.GGML_TYPE_F32;
        }
        _weights = LLamaWeights.LoadFromFile(parameters);
        try
        {
            _context = _weights.CreateContext(parameters);
        }
        catch
        {
            _weights.Dispose();
            throw;
        }
        VocabSize = _weights.Vocab.Count;
    }

    public LlamaCppOptions Options { get; }
    public int VocabSize { get; }

    /// <summary>llama.cpp's own tokenization of <paramref name="text"/> (special strings parsed as their ids).</summary>
    public int[] Tokenize(string text, bool addBos) =>
        _context.Tokenize(text, addBos, special: true).Select(t => (int)t).ToArray();

    /// <summary>Clears the KV cache of every sequence.</summary>
    public void Reset() => _context.NativeHandle.MemoryClear(true);

    /// <summary>Greedy decoding from a fresh cache: the prompt in one batch, then one token per step (argmax of the logits).</summary>
    public int[] GenerateGreedy(IReadOnlyList<int> prompt, int newTokens) => RunGreedy([prompt], newTokens).Tokens[0];

    /// <summary>
    /// Greedy decoding of several sequences at once (llama.cpp's parallel decoding): each prompt is prefilled into its
    /// own sequence, then every step decodes one token per sequence in a single batch. Times the two phases apart.
    /// </summary>
    public GreedyRun RunGreedy(IReadOnlyList<IReadOnlyList<int>> prompts, int newTokens)
    {
        if (prompts.Count > Options.Sequences) throw new ArgumentException($"{prompts.Count} prompts, but the context holds {Options.Sequences} sequences");
        int perSequence = Options.ContextSize / Options.Sequences;
        if (prompts.Max(p => p.Count) + newTokens > perSequence)
            throw new ArgumentException($"a prompt plus {newTokens} new tokens exceeds the {perSequence} cells each sequence has");
        Reset();
        var batch = new LLamaBatch();
        var outputs = prompts.Select(_ => new List<int>(newTokens)).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int s = 0; s < prompts.Count; s++) outputs[s].Add(Prefill(batch, prompts[s], s));
        var prefill = clock.Elapsed;
        clock.Restart();
        for (int step = 1; step < newTokens; step++)
        {
            batch.Clear();
            for (int s = 0; s < prompts.Count; s++) batch.Add(outputs[s][^1], prompts[s].Count + step - 1, (LLamaSeqId)s, true);
            Decode(batch);
            for (int s = 0; s < prompts.Count; s++) outputs[s].Add(ArgMax(s));
        }
        return new GreedyRun(outputs.Select(o => o.ToArray()).ToArray(), prefill, clock.Elapsed);
    }

    /// <summary>Feeds <paramref name="prompt"/> to <paramref name="sequence"/> in chunks of the batch size; returns the greedy next token.</summary>
    public int Prefill(LLamaBatch batch, IReadOnlyList<int> prompt, int sequence)
    {
        for (int start = 0; start < prompt.Count; start += Options.BatchSize)
        {
            batch.Clear();
            int end = Math.Min(prompt.Count, start + Options.BatchSize);
            for (int i = start; i < end; i++) batch.Add(prompt[i], i, (LLamaSeqId)sequence, i == prompt.Count - 1);
            Decode(batch);
        }
        return ArgMax(batch.TokenCount - 1);
    }

    /// <summary>One decode call over <paramref name="batch"/>; a failure (e.g. no room in the cache) is an exception, not a code.</summary>
    public void Decode(LLamaBatch batch)
    {
        var result = _context.NativeHandle.Decode(batch);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp decode failed: {result}");
    }

    /// <summary>The argmax of the logits of the batch entry <paramref name="batchIndex"/> (which must have asked for logits).</summary>
    public int ArgMax(int batchIndex)
    {
        var logits = _context.NativeHandle.GetLogitsIth(batchIndex);
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }
}
