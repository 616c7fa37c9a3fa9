using System.Threading.Channels;
using Llama.Core.Generation;

namespace Llama.Serving.Engine;

/// <summary>
/// A sequence inside the engine: its tokens so far (prompt, then generated), its block table, and how many of its
/// positions have keys/values in the cache. While running, every token but the newest is cached; the newest is
/// fed at the next decode step. Touched only by the engine loop, except <see cref="Aborted"/>.
/// </summary>
internal sealed class Sequence : IDisposable
{
    public Sequence(long id, SequenceRequest request, int budget, IEnumerable<int> stopTokenIds, Func<SamplingOptions, TokenSampler> samplers)
    {
        Id = id;
        Request = request;
        Tokens = [.. request.PromptIds];
        PromptLength = Tokens.Count;
        Budget = budget;
        StopIds = stopTokenIds.ToHashSet();
        Sampler = samplers(request.Sampling);
    }

    public long Id { get; }
    public SequenceRequest Request { get; }
    public List<int> Tokens { get; }
    public int PromptLength { get; }

    /// <summary>Most tokens this sequence may generate (max tokens, capped by the context).</summary>
    public int Budget { get; }
    public HashSet<int> StopIds { get; }
    public TokenSampler Sampler { get; }
    public List<int> BlockTable { get; } = [];

    /// <summary>Positions whose keys/values are in the cache.</summary>
    public int ComputedLength { get; set; }

    /// <summary>Prompt tokens whose keys/values came from the prefix cache at the last admission.</summary>
    public int CachedPromptTokens { get; set; }
    public int Generated => Tokens.Count - PromptLength;
    public Channel<SequenceOutput> Output { get; } = Channel.CreateUnbounded<SequenceOutput>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Set by the reader (a client went away); the engine frees the sequence at its next step.</summary>
    public volatile bool Aborted;

    public void Dispose() => Sampler.Dispose();
}
