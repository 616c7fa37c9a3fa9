using System.Collections.Concurrent;
using System.Diagnostics;
using Llama.Core.Generation;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Serving.Engine;

/// <summary>
/// The serving engine: one background loop that repeatedly asks the <see cref="Scheduler"/> what to run, runs it
/// with the <see cref="ModelRunner"/> over the <see cref="PagedKvCache"/>, samples each sequence's next token
/// with its own sampler, and streams tokens to the callers. Thread-safe to submit to; the model is only ever
/// touched by the loop.
/// </summary>
public sealed class InferenceEngine : IDisposable
{
    private readonly EngineOptions _options;
    private readonly PagedKvCache _cache;
    private readonly BlockAllocator _blocks;
    private readonly Scheduler _scheduler;
    private readonly ModelRunner _runner;
    private readonly ConcurrentQueue<Sequence> _incoming = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _loop;
    private readonly Queue<(long Ticks, long Tokens)> _recentSteps = new();
    private long _nextId, _promptTokens, _generatedTokens, _steps;
    private volatile EngineStats _stats;

    public InferenceEngine(LlamaModel model, EngineOptions? options = null)
    {
        _options = options ?? new EngineOptions();
        _options.Validate();
        Model = model;
        int poolTokens = _options.NumBlocks * _options.BlockSize;
        int modelLimit = model.Config.MaxPositionEmbeddings;
        MaxModelLength = Math.Min(_options.MaxModelLength > 0 ? Math.Min(_options.MaxModelLength, modelLimit) : modelLimit, poolTokens);
        _cache = new PagedKvCache(model.Config, _options.NumBlocks, _options.BlockSize, model.Device, model.DType);
        _blocks = new BlockAllocator(_options.NumBlocks, _options.BlockSize);
        _scheduler = new Scheduler(_blocks, _options);
        _runner = new ModelRunner(model, _cache);
        _stats = Snapshot();
        _loop = new Thread(Loop) { IsBackground = true, Name = "llama-serving-engine" };
        _loop.Start();
    }

    public LlamaModel Model { get; }

    /// <summary>The longest sequence (prompt + output) this engine serves: the model's context, capped by options and the KV pool.</summary>
    public int MaxModelLength { get; }

    public EngineStats Stats => _stats;

    /// <summary>Set when the loop died of an error it could not attribute to a step (the engine serves nothing more).</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Queues a sequence; its tokens arrive on the returned stream.</summary>
    /// <exception cref="PromptTooLongException">The prompt leaves no room to generate within <see cref="MaxModelLength"/>.</exception>
    /// <exception cref="ArgumentException">Empty prompt, a token id outside the vocabulary, or invalid sampling options.</exception>
    public GenerationStream Submit(SequenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Sampling.Validate();
        if (request.PromptIds.Count == 0) throw new ArgumentException("the prompt is empty: give at least one token");
        int vocab = Model.Config.VocabSize;
        foreach (int id in request.PromptIds)
            if (id < 0 || id >= vocab) throw new ArgumentException($"token id {id} is outside the vocabulary [0, {vocab})");
        if (request.PromptIds.Count >= MaxModelLength) throw new PromptTooLongException(request.PromptIds.Count, MaxModelLength);
        if (_stopping.IsCancellationRequested || Fault is not null) throw new InvalidOperationException("the inference engine has stopped", Fault);

        int budget = Math.Min(request.Sampling.MaxNewTokens, MaxModelLength - request.PromptIds.Count);
        var sequence = new Sequence(Interlocked.Increment(ref _nextId), request, budget, request.Sampling.StopTokenIds,
            sampling => new TokenSampler(sampling, Model.Device));
        var stream = new GenerationStream(sequence, Wake);
        if (budget == 0)
        {
            sequence.Output.Writer.TryComplete();
            sequence.Dispose();
            return stream;
        }
        _incoming.Enqueue(sequence);
        Wake();
        return stream;
    }

    private void Wake() => _wake.Release();

    private void Loop()
    {
        using var noGrad = no_grad();
        Model.eval();
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                while (_incoming.TryDequeue(out var s)) _scheduler.Add(s);
                if (!_scheduler.HasWork)
                {
                    _stats = Snapshot();
                    _wake.Wait(_stopping.Token);
                    continue;
                }
                try
                {
                    Step();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed step fails the sequences in flight, not the server.
                    foreach (var s in _scheduler.DrainAll()) Fail(s, e);
                }
                _stats = Snapshot();
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { Fault = e; }
        foreach (var s in _scheduler.DrainAll()) Fail(s, new OperationCanceledException("the inference engine stopped"));
        while (_incoming.TryDequeue(out var s)) Fail(s, new OperationCanceledException("the inference engine stopped"));
    }

    private void Step()
    {
        using var scope = NewDisposeScope();
        var plan = _scheduler.Schedule();
        foreach (var s in plan.Dropped) Fail(s, new OperationCanceledException("the request was cancelled"));
        long produced = 0;
        foreach (var s in plan.Prefills)
        {
            int fed = s.Tokens.Count - s.ComputedLength;
            var logits = _runner.Prefill(s);
            _promptTokens += fed;
            // The prompt's full blocks now hold its keys/values: later prompts with the same prefix reuse them.
            if (_options.EnablePrefixCaching) _blocks.RegisterFullBlocks(s.Tokens, s.BlockTable, s.ComputedLength / _options.BlockSize);
            Emit(s, logits, 0, GreedyChoices(logits, [s]));
            produced++;
        }
        if (plan.Decodes.Count > 0)
        {
            var logits = _runner.Decode(plan.Decodes);
            var greedy = GreedyChoices(logits, plan.Decodes);
            for (int row = 0; row < plan.Decodes.Count; row++) Emit(plan.Decodes[row], logits, row, greedy);
            produced += plan.Decodes.Count;
        }
        _generatedTokens += produced;
        _steps++;
        RecordThroughput(produced);
    }

    /// <summary>
    /// The argmax of every row in one operation when some sequence decodes greedily (the same choice its own
    /// <see cref="TokenSampler"/> would make, without a round trip per row); null otherwise.
    /// </summary>
    private static long[]? GreedyChoices(Tensor logits, IReadOnlyList<Sequence> sequences) =>
        sequences.Any(s => s.Request.Sampling.Temperature == 0) ? logits.argmax(-1).cpu().data<long>().ToArray() : null;

    /// <summary>Chooses row <paramref name="row"/>'s next token for <paramref name="s"/> and streams it.</summary>
    private void Emit(Sequence s, Tensor logits, int row, long[]? greedy)
    {
        var rowLogits = logits.narrow(0, row, 1);
        int token = (int)(s.Request.Sampling.Temperature == 0 && greedy is not null ? greedy[row] : s.Sampler.Sample(rowLogits)[0]);
        float? logprob = null;
        IReadOnlyList<TokenLogprob>? top = null;
        if (s.Request.TopLogprobs is int k)
        {
            var logprobs = rowLogits.log_softmax(-1)[0];
            logprob = logprobs[token].item<float>();
            if (k > 0)
            {
                var (values, indices) = logprobs.topk(Math.Min(k, (int)logprobs.shape[0]));
                var v = values.data<float>().ToArray();
                var ids = indices.data<long>().ToArray();
                top = v.Select((lp, i) => new TokenLogprob((int)ids[i], lp)).ToArray();
            }
        }
        s.Tokens.Add(token);
        var finish = s.StopIds.Contains(token) ? FinishReason.Stop
            : s.Generated >= s.Budget ? FinishReason.Length
            : FinishReason.None;
        s.Output.Writer.TryWrite(new SequenceOutput(token, finish, logprob, top));
        if (finish == FinishReason.None) return;
        s.Output.Writer.TryComplete();
        _scheduler.Finish(s);
        s.Dispose();
    }

    private static void Fail(Sequence s, Exception e)
    {
        s.Output.Writer.TryComplete(e);
        s.Dispose();
    }

    private void RecordThroughput(long produced)
    {
        long now = Stopwatch.GetTimestamp();
        _recentSteps.Enqueue((now, produced));
        while (_recentSteps.Count > 0 && Stopwatch.GetElapsedTime(_recentSteps.Peek().Ticks, now) > TimeSpan.FromSeconds(10)) _recentSteps.Dequeue();
    }

    private EngineStats Snapshot()
    {
        double rate = 0;
        if (_recentSteps.Count > 1)
        {
            var first = _recentSteps.Peek();
            double seconds = Stopwatch.GetElapsedTime(first.Ticks).TotalSeconds;
            if (seconds > 0) rate = (_recentSteps.Sum(s => s.Tokens) - first.Tokens) / seconds;
        }
        return new EngineStats(_scheduler.Running, _scheduler.Waiting + _incoming.Count, _blocks.UsedBlocks, _blocks.NumBlocks, _blocks.BlockSize,
            _promptTokens, _generatedTokens, _blocks.PrefixQueries, _blocks.PrefixHits, _scheduler.Preemptions, _steps, rate);
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _loop.Join();
        _cache.Dispose();
        _stopping.Dispose();
        _wake.Dispose();
    }
}
