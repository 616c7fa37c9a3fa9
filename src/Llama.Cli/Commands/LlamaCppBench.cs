using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Generation;
using Llama.Core.Model;
using Llama.Interop.Gguf;
using Llama.Interop.LlamaCpp;
using static TorchSharp.torch;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench llamacpp --model DIR</c>: our engine and llama.cpp (LLamaSharp's CPU build) on the same weights
/// (the directory, and its GGUF export) at one thread count: prompt processing and decode tokens/s at batch 1, and
/// aggregate decode tokens/s of N streams (ours: one lockstep batch through LlamaModel + KvCache; llama.cpp:
/// parallel decoding, one sequence per stream). Prints both and the ratios ours / llama.cpp.
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

    private readonly record struct Rates(double Prompt, double Decode, double Streams, double SimdDecode = 0);

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

            var ours = MeasureOurs(model, prompt, prompts, o);
            var theirs = MeasureLlamaCpp(gguf, prompt, prompts, o);
            Console.WriteLine($"{"",-26}{"ours",12}{"llama.cpp",12}{"ratio",8}");
            void Row(string name, double a, double b) => Console.WriteLine(string.Create(inv, $"{name,-26}{a,12:N0}{b,12:N0}{a / b,8:0.00}"));
            Row("prompt tokens/s (batch 1)", ours.Prompt, theirs.Prompt);
            Row("decode tokens/s (batch 1)", ours.Decode, theirs.Decode);
            Row("  ours: SimdDecoder", ours.SimdDecode, theirs.Decode);
            Row($"decode tokens/s ({o.Streams} str.)", ours.Streams, theirs.Streams);
            PrintDecodeProfile(model, prompt);
        }
        finally
        {
            File.Delete(gguf);
        }
    }

    /// <summary>
    /// Batch 1 through <see cref="LlamaGenerator"/> (what `llama generate` runs) and through <see cref="SimdDecoder"/>
    /// (the libtorch-free decode path); streams as one lockstep batch.
    /// </summary>
    private static Rates MeasureOurs(LlamaModel model, int[] prompt, int[][] prompts, Options o)
    {
        Console.Error.WriteLine("ours: prompt processing, batch 1");
        double promptSeconds = Median(o.Repeats, () =>
        {
            using var cache = model.CreateCache(1, prompt.Length);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var ids = tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0);
            var clock = Stopwatch.StartNew();
            model.Forward(ids, cache, lastPositionOnly: true).argmax(-1).item<long>();
            return clock.Elapsed.TotalSeconds;
        });
        Console.Error.WriteLine("ours: decode, batch 1 (LlamaGenerator, then SimdDecoder)");
        double decodeSeconds = Median(o.Repeats, () =>
        {
            // From the first token (prefill done) to the last: decode steps only.
            var clock = new Stopwatch();
            int produced = 0;
            foreach (var _ in new LlamaGenerator(model).Generate(prompt, SamplingOptions.Greedy with { MaxNewTokens = o.NewTokens }))
                if (produced++ == 0) clock.Start();
            return clock.Elapsed.TotalSeconds / (produced - 1);
        });
        var simd = new SimdDecoder(model, prompt.Length + o.NewTokens, o.Threads);
        double simdSeconds = Median(o.Repeats, () =>
        {
            var clock = new Stopwatch();
            int produced = 0;
            foreach (var _ in simd.GenerateGreedy(prompt, o.NewTokens))
                if (produced++ == 0) clock.Start();
            return clock.Elapsed.TotalSeconds / (produced - 1);
        });
        Console.Error.WriteLine($"ours: decode, {prompts.Length} streams");
        double streamSeconds = Median(o.Repeats, () => LockstepDecodeSeconds(model, prompts, o.NewTokens));
        return new Rates(prompt.Length / promptSeconds, 1 / decodeSeconds, prompts.Length * (o.NewTokens - 1) / streamSeconds, 1 / simdSeconds);
    }

    /// <summary>All streams prefilled as one [S, P] batch, then [S, 1] greedy steps; returns the decode time.</summary>
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

    private static Rates MeasureLlamaCpp(string gguf, int[] prompt, int[][] prompts, Options o)
    {
        Console.Error.WriteLine("llama.cpp: prompt processing and decode, batch 1");
        var single = new LlamaCppOptions { Threads = o.Threads, ContextSize = prompt.Length + o.NewTokens, BatchSize = Math.Max(prompt.Length, 32) };
        double promptSeconds, decodeSeconds;
        using (var engine = new LlamaCppEngine(gguf, single))
        {
            var runs = Enumerable.Range(0, o.Repeats + 1).Select(_ => engine.RunGreedy([prompt], o.NewTokens)).Skip(1).ToList(); // first run warms up
            promptSeconds = runs.Select(r => r.Prefill.TotalSeconds).Order().ElementAt(runs.Count / 2);
            decodeSeconds = runs.Select(r => r.Decode.TotalSeconds / (o.NewTokens - 1)).Order().ElementAt(runs.Count / 2);
        }
        var parallel = single with { Sequences = prompts.Length, ContextSize = prompts.Length * (prompt.Length + o.NewTokens) };
        double streamSeconds;
        Console.Error.WriteLine($"llama.cpp: parallel decoding, {prompts.Length} streams");
        using (var engine = new LlamaCppEngine(gguf, parallel))
            streamSeconds = Median(o.Repeats, () => engine.RunGreedy(prompts, o.NewTokens).Decode.TotalSeconds);
        return new Rates(prompt.Length / promptSeconds, 1 / decodeSeconds, prompts.Length * (o.NewTokens - 1) / streamSeconds);
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

    private static double Median(int repeats, Func<double> measure)
    {
        measure(); // warm-up
        var samples = Enumerable.Range(0, repeats).Select(_ => measure()).Order().ToArray();
        return samples[samples.Length / 2];
    }
}
