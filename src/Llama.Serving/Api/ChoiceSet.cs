using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Llama.Core.Generation;
using Llama.Serving.Engine;
using Llama.Serving.Hosting;
using Llama.Serving.Metrics;

namespace Llama.Serving.Api;

/// <summary>A piece of one choice's text (with the tokens that produced it); the last piece of a choice carries its finish reason.</summary>
internal sealed record ChoiceEvent(int Index, string Text, FinishReason Finish, IReadOnlyList<SequenceOutput> Tokens);

/// <summary>
/// The n choices of one request as engine sequences: each choice's tokens become text through a
/// <see cref="GeneratedTextStream"/> (stop strings end it and abort its sequence); the choices' pieces are merged
/// in arrival order. Disposing aborts whatever is still generating, which frees its KV blocks.
/// </summary>
internal sealed class ChoiceSet : IDisposable
{
    private readonly ServedModel _model;
    private readonly GenerationParameters _parameters;
    private readonly GenerationStream[] _streams;
    private readonly ServingMetrics _metrics;
    private readonly long _arrival;
    private int _completionTokens;

    private ChoiceSet(ServedModel model, GenerationParameters parameters, GenerationStream[] streams, ServingMetrics metrics, long arrival)
    {
        _model = model;
        _parameters = parameters;
        _streams = streams;
        _metrics = metrics;
        _arrival = arrival;
    }

    public int PromptTokens => _streams[0].PromptTokens;
    public int CompletionTokens => _completionTokens;

    /// <summary>The request's usage in OpenAI's shape, with prefix-cache hits as <c>prompt_tokens_details.cached_tokens</c>.</summary>
    public System.Text.Json.Nodes.JsonObject Usage()
    {
        var usage = OpenAiJson.Usage(PromptTokens, CompletionTokens);
        usage["prompt_tokens_details"] = new System.Text.Json.Nodes.JsonObject { ["cached_tokens"] = _streams.Max(s => s.CachedPromptTokens) };
        return usage;
    }

    /// <summary>Queues the request's n sequences.</summary>
    /// <exception cref="OpenAiException">The prompt does not fit the context (400, code context_length_exceeded).</exception>
    public static ChoiceSet Start(ServedModel model, IReadOnlyList<int> promptIds, GenerationParameters parameters, ServingMetrics metrics)
    {
        long arrival = Stopwatch.GetTimestamp();
        var streams = new List<GenerationStream>();
        try
        {
            for (int i = 0; i < parameters.N; i++)
                streams.Add(model.Engine.Submit(new SequenceRequest(promptIds, parameters.ToSampling(i, model.StopTokenIds), parameters.TopLogprobs)));
        }
        catch (PromptTooLongException e)
        {
            foreach (var s in streams) s.Dispose();
            throw new OpenAiException(400, $"This model's maximum context length is {e.MaxModelLength} tokens. However, your prompt has {e.PromptTokens} tokens.",
                param: "messages", code: "context_length_exceeded");
        }
        catch (ArgumentException e)
        {
            foreach (var s in streams) s.Dispose();
            throw new OpenAiException(400, e.Message, param: "prompt");
        }
        return new ChoiceSet(model, parameters, [.. streams], metrics, arrival);
    }

    /// <summary>Every choice's text pieces as they are produced.</summary>
    public async IAsyncEnumerable<ChoiceEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        await foreach (var batch in ReadBatchesAsync(cancellation))
            foreach (var e in batch) yield return e;
    }

    /// <summary>
    /// The pieces in batches of whatever has arrived: a streaming response writes a batch and flushes once, so a
    /// client that falls behind the engine costs fewer writes instead of a growing backlog.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<ChoiceEvent>> ReadBatchesAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        var merged = Channel.CreateUnbounded<ChoiceEvent>();
        var pumps = _streams.Select((s, i) => PumpAsync(i, s, merged.Writer, cancellation)).ToArray();
        _ = Task.WhenAll(pumps).ContinueWith(t => merged.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        while (await merged.Reader.WaitToReadAsync(cancellation))
        {
            var batch = new List<ChoiceEvent>();
            while (merged.Reader.TryRead(out var e)) batch.Add(e);
            yield return batch;
        }
    }

    private async Task PumpAsync(int index, GenerationStream stream, ChannelWriter<ChoiceEvent> output, CancellationToken cancellation)
    {
        var text = new GeneratedTextStream(_model.Tokenizer, _model.StopTokenIds, _parameters.Stop);
        long previous = _arrival;
        bool first = true;
        var tokens = new List<SequenceOutput>();
        var finish = FinishReason.Length;
        await foreach (var token in stream.ReadAllAsync(cancellation))
        {
            Interlocked.Increment(ref _completionTokens);
            long now = Stopwatch.GetTimestamp();
            if (first) _metrics.TimeToFirstToken.Observe(Stopwatch.GetElapsedTime(_arrival, now).TotalSeconds);
            else _metrics.TimePerOutputToken.Observe(Stopwatch.GetElapsedTime(previous, now).TotalSeconds);
            first = false;
            previous = now;
            tokens.Add(token);
            if (text.Push(new GeneratedToken(token.TokenId, token.Finish)) is { } delta)
            {
                await output.WriteAsync(new ChoiceEvent(index, delta.Text, delta.Finish, tokens), cancellation);
                tokens = [];
                if (delta.Finish != FinishReason.None) finish = delta.Finish;
            }
            if (text.Finished) break;
        }
        // A stop string ended the text before the engine ended the sequence: stop generating now.
        stream.Dispose();
        if (!text.Finished)
            await output.WriteAsync(new ChoiceEvent(index, text.Flush()?.Text ?? "", FinishReason.Length, tokens), cancellation);
        _metrics.FinishedSequences.WithLabels(finish == FinishReason.Stop ? "stop" : "length").Inc();
    }

    public void Dispose()
    {
        foreach (var s in _streams) s.Dispose();
    }
}
