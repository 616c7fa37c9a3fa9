namespace Llama.Serving.Engine;

/// <summary>What one engine step runs: prompts to prefill (each with its cached prefix) and sequences to decode.</summary>
internal sealed record ScheduledStep(IReadOnlyList<Sequence> Prefills, IReadOnlyList<Sequence> Decodes, IReadOnlyList<Sequence> Dropped)
{
    public bool IsEmpty => Prefills.Count == 0 && Decodes.Count == 0;
}

/// <summary>
/// Continuous batching (Orca, Yu et al., 2022; vLLM's scheduler): at every step, sequences that finished or were
/// aborted leave, every running sequence gets the KV slot its next token needs, and waiting sequences join in
/// arrival order while blocks, the running-sequence limit and the prefill token budget allow. When a running
/// sequence needs a block and none is free, the most recently admitted sequence is preempted: its blocks are
/// freed and it waits again at the head of the queue, to be recomputed from its tokens so far (vLLM's
/// recompute preemption). Policy only: the model is run elsewhere (<see cref="ModelRunner"/>).
/// </summary>
internal sealed class Scheduler(BlockAllocator blocks, EngineOptions options)
{
    private readonly LinkedList<Sequence> _waiting = new();
    private readonly List<Sequence> _running = [];

    public int Running => _running.Count;
    public int Waiting => _waiting.Count;
    public long Preemptions { get; private set; }
    public bool HasWork => _running.Count > 0 || _waiting.Count > 0;

    /// <summary>Free blocks kept back when admitting, so running sequences can grow a little before anyone is preempted.</summary>
    private int Watermark => Math.Max(1, blocks.NumBlocks / 100);

    public void Add(Sequence sequence) => _waiting.AddLast(sequence);

    public ScheduledStep Schedule()
    {
        var dropped = DropAborted();
        var decodes = ReserveDecodeSlots();
        var prefills = Admit();
        return new ScheduledStep(prefills, decodes, dropped);
    }

    /// <summary>A sequence that produced its last token leaves the batch; its blocks go back to the pool.</summary>
    public void Finish(Sequence sequence)
    {
        _running.Remove(sequence);
        Free(sequence);
    }

    /// <summary>Every sequence leaves (the engine failed or stops); returns them so their readers can be told.</summary>
    public List<Sequence> DrainAll()
    {
        var all = _running.Concat(_waiting).ToList();
        foreach (var s in _running) Free(s);
        _running.Clear();
        _waiting.Clear();
        return all;
    }

    private List<Sequence> DropAborted()
    {
        var dropped = _running.Where(s => s.Aborted).Concat(_waiting.Where(s => s.Aborted)).ToList();
        foreach (var s in dropped)
        {
            if (_running.Remove(s)) Free(s);
            else _waiting.Remove(s);
        }
        return dropped;
    }

    /// <summary>Each running sequence's next position needs a slot; a full last block means a new block.</summary>
    private List<Sequence> ReserveDecodeSlots()
    {
        var decodes = new List<Sequence>(_running.Count);
        // Oldest first: under memory pressure the youngest sequences yield to the oldest.
        for (int i = 0; i < _running.Count; i++)
        {
            var s = _running[i];
            bool needsBlock = s.ComputedLength == s.BlockTable.Count * blocks.BlockSize;
            while (needsBlock && blocks.FreeBlocks == 0)
            {
                var victim = _running[^1];
                Preempt(victim);
                if (victim == s) break;
            }
            if (!_running.Contains(s)) break; // s itself was the youngest and made way
            if (needsBlock) s.BlockTable.Add(blocks.Allocate());
            decodes.Add(s);
        }
        return decodes;
    }

    private void Preempt(Sequence s)
    {
        _running.Remove(s);
        Free(s);
        _waiting.AddFirst(s);
        Preemptions++;
    }

    private List<Sequence> Admit()
    {
        var admitted = new List<Sequence>();
        int prefillTokens = 0;
        while (_waiting.First is { } node && _running.Count < options.MaxRunningSequences)
        {
            var s = node.Value;
            int length = s.Tokens.Count;
            int blocksNeeded = (length + blocks.BlockSize - 1) / blocks.BlockSize;
            // At least the last token is computed again: its logits choose the next token.
            int maxCachedBlocks = options.EnablePrefixCaching ? (length - 1) / blocks.BlockSize : 0;
            var cached = blocks.TakeCachedPrefix(s.Tokens, maxCachedBlocks);
            int newBlocks = blocksNeeded - cached.Count;
            int uncachedTokens = length - cached.Count * blocks.BlockSize;
            bool fits = blocks.FreeBlocks - newBlocks >= (_running.Count == 0 ? 0 : Watermark);
            bool withinBudget = admitted.Count == 0 || prefillTokens + uncachedTokens <= options.MaxPrefillTokensPerStep;
            if (!fits || !withinBudget)
            {
                blocks.ReleaseAll(cached);
                break;
            }
            _waiting.RemoveFirst();
            s.BlockTable.AddRange(cached);
            for (int i = 0; i < newBlocks; i++) s.BlockTable.Add(blocks.Allocate());
            s.ComputedLength = cached.Count * blocks.BlockSize;
            s.CachedPromptTokens = s.ComputedLength;
            prefillTokens += uncachedTokens;
            _running.Add(s);
            admitted.Add(s);
        }
        return admitted;
    }

    private void Free(Sequence s)
    {
        blocks.ReleaseAll(s.BlockTable);
        s.BlockTable.Clear();
        s.ComputedLength = 0;
    }
}
