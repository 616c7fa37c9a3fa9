using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Generation;
using Llama.Core.Model;
using Llama.Interop.Gguf;
using Llama.Interop.LlamaCpp;
using Llama.Serving.Engine;
using static TorchSharp.torch;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench llamacpp --model DIR</c>: our engine and llama.cpp (LLamaSharp's CPU build) on the same weights
/// (the directory, and its GGUF export) at one thread count: prompt processing and decode tokens/s at batch 1 (ours:
/// <see cref="LlamaGenerator"/>'s default engine, what `llama generate` runs, and its TorchSharp engine beside it), and
/// aggregate decode tokens/s of N streams (ours: N requests through the serving engine's continuous batching;
/// llama.cpp: parallel decoding, one sequence per stream). Prints both and the ratios ours / llama.cpp.
/// </summary>
internal static class LlamaCppBench
{
    private sealed record Options(string Model, string Dtype, int Threads, int PromptTokens, int NewTokens, int Streams, int Repeats);

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A Hugging Face Llama directory with its tokenizer", Required = true };
        var dtype = new Option<string>("--gguf-dtype") { Description = $"Weights llama.cpp runs: {string.Join(", ", GgufExportDtypes.Names)} (ours run float32)", DefaultValueFactory = _ => "f32" };
        var threads = new Option<int>("--threads") { Description = "Threads for both engines", DefaultValueFactory = _ => 2 };
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length", DefaultValueFactory = _ => 128 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens decoded per stream", DefaultValueFactory = _ => 128 };
        var streams = new Option<int>("--streams") { Description = "Concurrent streams for the aggregate figure", DefaultValueFactory = _ => 16 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (median reported)", DefaultValueFactory = _ => 3 };
        var command = new Command("llamacpp", "Our engine vs llama.cpp on the same weights: prompt, decode and multi-stream tokens/s")
        {
            model, dtype, threads, prompt, newTokens, streams, repeats,
        };
        command.SetAction(parse =>
        {
            var o = new Options(parse.GetValue(model)!, parse.GetValue(dtype)!, parse.GetValue(threads), parse.GetValue(prompt),
                parse.GetValue(newTokens), parse.GetValue(streams), parse.GetValue(repeats));
            if (o.Threads <= 0 || o.PromptTokens <= 0 || o.NewTokens < 2 || o.Streams <= 0 || o.Repeats <= 0)
                throw new ArgumentException("--threads, --prompt-tokens, --streams and --repeats must be positive, --new-tokens at least 2");
            Run(o);
            return 0;
        });
        return command;
    }

    /// <summary>One repetition's figures for one engine; TorchDecode and Lockstep are ours only (the TorchSharp engine, and the streams as one bare batch).</summary>
    private readonly record struct Rates(double Prompt, double Decode, double Streams, double TorchDecode, double Lockstep = 0);

    private static void Run(Options o)
    {
        var inv = CultureInfo.InvariantCulture;
        var storage = GgufExportDtypes.Parse(o.Dtype);
        set_num_threads(o.Threads);
        using var model = LlamaDirectory.Load(o.Model);
        model.eval();
        var config = model.Config;
        if (o.PromptTokens + o.NewTokens > config.MaxPositionEmbeddings)
            throw new ArgumentException($"--prompt-tokens + --new-tokens exceed the model's context of {config.MaxPositionEmbeddings}");
        string gguf = Path.Combine(Path.GetTempPath(), $"llama-bench-{Guid.NewGuid():N}.gguf");
        try
        {
            LlamaGgufExporter.Export(o.Model, gguf, storage);
            var prompt = Enumerable.Range(0, o.PromptTokens).Select(i => (i * 7919 + 13) % config.VocabSize).ToArray();
            var prompts = Enumerable.Range(0, o.Streams).Select(s => prompt.Select(t => (t + 31 * s) % config.VocabSize).ToArray()).ToArray();
            Console.WriteLine(string.Create(inv, $"model {o.Model}: {ModelSize.Of(config).Total:N0} parameters; {o.Threads} threads; prompt {o.PromptTokens}, {o.NewTokens} new tokens, {o.Streams} streams; llama.cpp runs the {storage.ToString().ToLowerInvariant()} GGUF, ours float32"));

            var samples = MeasureBackToBack(model, gguf, prompt, prompts, o);
            // Figures are medians over the repetitions; the ratio is the median of each repetition's own ratio (both engines
            // measured back to back), which a change of load between repetitions does not skew.
            Console.WriteLine($"{"",-26}{"ours",12}{"llama.cpp",12}{"ratio",8}   ratio in each repetition");
            void Row(string name, Func<Rates, double> figure)
            {
                double ours = Mid(samples.Select(r => figure(r.Ours))), theirs = Mid(samples.Select(r => figure(r.Theirs)));
                var ratios = samples.Select(r => figure(r.Ours) / figure(r.Theirs)).ToArray();
                var each = string.Join(" ", ratios.Select(r => r.ToString("0.00", inv)));
                Console.WriteLine(string.Create(inv, $"{name,-26}{ours,12:N0}{theirs,12:N0}{Mid(ratios),8:0.00}   {each}"));
            }
            Row("prompt tokens/s (batch 1)", r => r.Prompt);
            Row("decode tokens/s (batch 1)", r => r.Decode);
            Row("  ours: --engine torch", r => r.TorchDecode);
            Row($"decode tokens/s ({o.Streams} str.)", r => r.Streams);
            PrintPrefillProfile(model, prompt);
            PrintDecodeProfile(model, prompt);
            double engine = Mid(samples.Select(r => r.Ours.Streams)), bare = Mid(samples.Select(r => r.Ours.Lockstep));
            Console.WriteLine(string.Create(inv,
                $"profile of our {o.Streams}-stream decode: the serving engine {engine:N0} tokens/s; the same streams as one bare lockstep LlamaModel.Forward per step " +
                $"(no scheduler, paging or per-sequence sampling), measured right after it in each repetition, {bare:N0} tokens/s (engine / bare {engine / bare:0.00})"));
        }
        finally
        {
            File.Delete(gguf);
        }
    }

    /// <summary>
    /// Both engines, figure by figure, one right after the other in every repetition (the first only warms up), so that a
    /// change in the machine's load hits both sides of a ratio alike. Ours at batch 1: <see cref="LlamaGenerator"/>'s
    /// default engine (what `llama generate` runs) and its TorchSharp engine; ours at N streams: the serving engine.
    /// llama.cpp: one context for batch 1, one with a sequence per stream for parallel decoding.
    /// </summary>
    private static List<(Rates Ours, Rates Theirs)> MeasureBackToBack(LlamaModel model, string gguf, int[] prompt, int[][] prompts, Options o)
    {
        var single = new LlamaCppOptions { Threads = o.Threads, ContextSize = prompt.Length + o.NewTokens, BatchSize = Math.Max(prompt.Length, 32) };
        using var cppSingle = new LlamaCppEngine(gguf, single);
        using var cppParallel = new LlamaCppEngine(gguf, single with { Sequences = prompts.Length, ContextSize = prompts.Length * (prompt.Length + o.NewTokens) });
        using var serving = new InferenceEngine(model, new EngineOptions { MaxRunningSequences = Math.Max(64, prompts.Length) });
        var greedy = SamplingOptions.Greedy with { MaxNewTokens = o.NewTokens };
        var standard = new LlamaGenerator(model);
        var torchSteps = new LlamaGenerator(model, DecodeEngine.TorchSharp);
        Console.Error.WriteLine($"ours at batch 1: the default engine (here {standard.EngineFor(greedy)}) and TorchSharp; at {prompts.Length} streams: the serving engine");
        double SecondsPerStep(LlamaGenerator generator)
        {
            // From the first token (prefill done) to the last: decode steps only.
            var clock = new Stopwatch();
            int produced = 0;
            foreach (var _ in generator.Generate(prompt, greedy))
                if (produced++ == 0) clock.Start();
            return clock.Elapsed.TotalSeconds / (produced - 1);
        }
        var samples = new List<(Rates, Rates)>();
        for (int repetition = 0; repetition <= o.Repeats; repetition++)
        {
            Console.Error.WriteLine(repetition == 0 ? "warm-up" : $"repetition {repetition} of {o.Repeats}");
            double oursPrompt = prompt.Length / PrefillSeconds(model, prompt);
            var cpp = cppSingle.RunGreedy([prompt], o.NewTokens);
            double oursDecode = 1 / SecondsPerStep(standard);
            double oursTorch = 1 / SecondsPerStep(torchSteps);
            double oursStreams = EngineDecodeRate(serving, prompts, o.NewTokens);
            double oursLockstep = prompts.Length * (o.NewTokens - 1) / LockstepDecodeSeconds(model, prompts, o.NewTokens);
            double cppStreams = prompts.Length * (o.NewTokens - 1) / cppParallel.RunGreedy(prompts, o.NewTokens).Decode.TotalSeconds;
            double cppDecode = (o.NewTokens - 1) / cpp.Decode.TotalSeconds;
            if (repetition > 0)
                samples.Add((new Rates(oursPrompt, oursDecode, oursStreams, oursTorch, oursLockstep), new Rates(prompt.Length / cpp.Prefill.TotalSeconds, cppDecode, cppStreams, cppDecode)));
        }
        return samples;
    }

    /// <summary>One forward pass over the prompt into a fresh cache, as <see cref="LlamaGenerator"/> starts.</summary>
    private static double PrefillSeconds(LlamaModel model, int[] prompt)
    {
        using var cache = model.CreateCache(1, prompt.Length);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0);
        var clock = Stopwatch.StartNew();
        model.Forward(ids, cache, lastPositionOnly: true).argmax(-1).item<long>();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Aggregate decode tokens/s of <paramref name="prompts"/> submitted together to the serving engine (greedy, no stop
    /// tokens, so each makes <paramref name="newTokens"/>): tokens that arrive after every stream has its first one,
    /// over the time from then to the last token (prefills excluded, as on the llama.cpp side).
    /// </summary>
    private static double EngineDecodeRate(InferenceEngine engine, int[][] prompts, int newTokens)
    {
        var sampling = SamplingOptions.Greedy with { MaxNewTokens = newTokens };
        var streams = prompts.Select(p => engine.Submit(new SequenceRequest(p, sampling))).ToArray();
        var arrivals = streams.Select(stream => Task.Run(async () =>
        {
            var times = new List<long>(newTokens);
            await foreach (var _ in stream.ReadAllAsync()) times.Add(Stopwatch.GetTimestamp());
            return times;
        })).ToArray();
        Task.WaitAll(arrivals);
        foreach (var stream in streams) stream.Dispose();
        long start = arrivals.Max(a => a.Result[0]), end = arrivals.Max(a => a.Result[^1]);
        int tokens = arrivals.Sum(a => a.Result.Count(t => t > start));
        return tokens / Stopwatch.GetElapsedTime(start, end).TotalSeconds;
    }

    /// <summary>All streams prefilled as one [S, P] batch, then [S, 1] greedy steps through LlamaModel + KvCache; returns the decode time.</summary>
    private static double LockstepDecodeSeconds(LlamaModel model, int[][] prompts, int newTokens)
    {
        using var cache = model.CreateCache(prompts.Length, prompts[0].Length + newTokens);
        using var noGrad = no_grad();
        Tensor next;
        using (var scope = NewDisposeScope())
        {
            var ids = tensor(prompts.SelectMany(p => p.Select(i => (long)i)).ToArray()).reshape(prompts.Length, prompts[0].Length);
            next = model.Forward(ids, cache, lastPositionOnly: true).argmax(-1).MoveToOuterDisposeScope(); // [S, 1]
        }
        var clock = Stopwatch.StartNew();
        for (int step = 1; step < newTokens; step++)
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(next, cache, lastPositionOnly: true);
            next.Dispose();
            next = logits.argmax(-1).MoveToOuterDisposeScope();
        }
        next.data<long>().ToArray(); // wait for the last step
        next.Dispose();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Where our prompt processing goes: one forward pass over the prompt against its matrix products alone (every
    /// projection on all prompt tokens, the head on the last, as libtorch runs them in the pass); the rest is attention,
    /// norms, RoPE, SwiGLU and the cache writes.
    /// </summary>
    private static void PrintPrefillProfile(LlamaModel model, int[] prompt)
    {
        const int samples = 9;
        double whole = Median(samples, () => PrefillSeconds(model, prompt));
        using var noGrad = no_grad();
        var head = model.LmHead?.weight ?? model.Decoder.EmbedTokens.weight!;
        var projections = model.named_parameters()
            .Where(p => p.parameter.dim() == 2 && !p.name.Contains("embed_tokens") && !p.name.Contains("lm_head")).Select(p => p.parameter).ToList();
        var inputs = projections.Select(w => randn(1, prompt.Length, w.shape[1])).ToArray();
        using var last = randn(1, 1, head.shape[1]);
        double products = Median(samples, () =>
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < projections.Count; i++) nn.functional.linear(inputs[i], projections[i]).Dispose();
            nn.functional.linear(last, head).Dispose();
            return clock.Elapsed.TotalSeconds;
        });
        foreach (var input in inputs) input.Dispose();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"profile of our prompt processing ({prompt.Length} tokens): {whole * 1e3:0.00} ms; its {projections.Count + 1} matrix products alone take {products * 1e3:0.00} ms ({products / whole:P0}); " +
            $"the other {(whole - products) * 1e3:0.00} ms is attention, norms, RoPE, SwiGLU and cache writes"));
    }

    /// <summary>
    /// Where one decode step of ours goes: the matrix-vector products alone (every linear layer and the head, on a
    /// single token, as libtorch runs them in the step), and the cost of one trivial libtorch call, which bounds
    /// what the other calls of the step (norms, RoPE, attention, cache writes, views, dispose) cost in dispatch.
    /// </summary>
    private static void PrintDecodeProfile(LlamaModel model, int[] prompt)
    {
        var inv = CultureInfo.InvariantCulture;
        const int samples = 41; // medians of many short samples hold up on a busy machine
        using var noGrad = no_grad();
        using var cache = model.CreateCache(1, prompt.Length + 1);
        using (var scope = NewDisposeScope())
            model.Forward(tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0), cache, lastPositionOnly: true);
        using var token = tensor(new long[] { prompt[^1] }).unsqueeze(0);
        double stepSeconds = Median(samples, () =>
        {
            cache.Truncate(prompt.Length); // the same position every time
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            model.Forward(token, cache, lastPositionOnly: true).argmax(-1).item<long>();
            return clock.Elapsed.TotalSeconds;
        });
        var weights = model.named_parameters().Where(p => p.parameter.dim() == 2 && !p.name.Contains("embed_tokens")).Select(p => p.parameter).ToList();
        if (model.LmHead is null) weights.Add(model.Decoder.EmbedTokens.weight!);
        var vectors = weights.Select(w => randn(1, 1, w.shape[1])).ToArray();
        double gemv = Median(samples, () =>
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < weights.Count; i++) nn.functional.linear(vectors[i], weights[i]).Dispose();
            return clock.Elapsed.TotalSeconds;
        });
        using var small = randn(1, 1, model.Config.HiddenSize);
        const int calls = 1000;
        double perCall = Median(samples, () =>
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++) small.add(1.0f).Dispose();
            return clock.Elapsed.TotalSeconds / calls;
        });
        foreach (var v in vectors) v.Dispose();
        double rest = stepSeconds - gemv;
        Console.WriteLine(string.Create(inv, $"profile of our decode step: {stepSeconds * 1e3:0.00} ms; its {weights.Count} matrix-vector products alone take {gemv * 1e3:0.00} ms ({gemv / stepSeconds:P0}); " +
            $"the other {rest * 1e3:0.00} ms is everything else (a trivial libtorch call costs {perCall * 1e6:0.0} us here, so that is ~{rest / perCall:N0} such calls' worth of dispatch)"));
    }

    private static double Mid(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static double Median(int repeats, Func<double> measure)
    {
        measure(); // warm-up
        return Mid(Enumerable.Range(0, repeats).Select(_ => measure()).ToArray());
    }
}
