using System.Threading.Channels;

namespace Llama.Serving.Engine;

/// <summary>
/// The caller's end of one sequence in the engine: its tokens as they are generated. Disposing it before the
/// last token aborts the sequence, and the engine frees its KV blocks at its next step (a client that
/// disconnects mid-stream costs nothing further).
/// </summary>
public sealed class GenerationStream : IDisposable
{
    private readonly Sequence _sequence;
    private readonly Action _wakeEngine;

    internal GenerationStream(Sequence sequence, Action wakeEngine)
    {
        _sequence = sequence;
        _wakeEngine = wakeEngine;
    }

    public int PromptTokens => _sequence.PromptLength;

    /// <summary>Prompt tokens whose keys/values came from the prefix cache (known once the sequence was admitted).</summary>
    public int CachedPromptTokens => _sequence.CachedPromptTokens;

    /// <summary>Tokens as they come; the channel completes after the token that carries the finish reason (or with the engine's error).</summary>
    public ChannelReader<SequenceOutput> Outputs => _sequence.Output.Reader;

    public IAsyncEnumerable<SequenceOutput> ReadAllAsync(CancellationToken cancellation = default) => Outputs.ReadAllAsync(cancellation);

    public void Dispose()
    {
        if (_sequence.Output.Reader.Completion.IsCompleted) return;
        _sequence.Aborted = true;
        _wakeEngine();
    }
}
