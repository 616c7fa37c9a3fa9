using Llama.Core.Training;

namespace Llama.Pretraining.Optimization;

/// <summary>One stage of a <see cref="ContextSchedule"/>: from <paramref name="TokensSeen"/> on, train at <paramref name="SequenceLength"/>.</summary>
public sealed record ContextStage(long TokensSeen, int SequenceLength);

/// <summary>
/// Staged context lengthening as a function of tokens trained on. Llama 3 ("The Llama 3 Herd of Models",
/// arXiv 2407.21783, section 3.4.2) grows the context from 8K to 128K in six stages over ~800B tokens, moving on
/// when short-context scores have recovered and needle-in-a-haystack passes at the new length; a run records the
/// thresholds it chose here, so resuming is exact. RoPE needs no change: positions beyond the previous stage
/// are simply seen for the first time.
/// </summary>
/// <param name="Stages">Stages in order: the first starts at 0 tokens, thresholds and lengths strictly increase.</param>
public sealed record ContextSchedule(IReadOnlyList<ContextStage> Stages)
{
    /// <summary>The tiny presets' schedule: 128 tokens, then 256 for the last part of a few-million-token run.</summary>
    public static ContextSchedule Tiny { get; } = new([new(0, 128), new(4_000_000, 256)]);

    /// <summary>One length throughout.</summary>
    public static ContextSchedule Constant(int sequenceLength) => new([new ContextStage(0, sequenceLength)]);

    /// <summary>The longest length the schedule reaches (what the RoPE tables and buffers must hold).</summary>
    public int MaxSequenceLength => Validate().Stages[^1].SequenceLength;

    /// <summary>The sequence length once <paramref name="tokensSeen"/> tokens have been trained on.</summary>
    public int SequenceLengthAt(long tokensSeen)
    {
        Validate();
        if (tokensSeen < 0) throw new ArgumentOutOfRangeException(nameof(tokensSeen), tokensSeen, "Tokens seen must be >= 0.");
        int length = Stages[0].SequenceLength;
        foreach (var s in Stages)
            if (s.TokensSeen <= tokensSeen) length = s.SequenceLength;
        return length;
    }

    /// <summary>Throws <see cref="ScheduleConfigException"/> naming the first offending stage.</summary>
    public ContextSchedule Validate()
    {
        var stages = Stages?.Select(s => (s.TokensSeen, (long)s.SequenceLength)).ToList();
        StageOrder.Check("context schedule", stages);
        for (int i = 1; i < stages!.Count; i++)
            if (stages[i].Item2 <= stages[i - 1].Item2)
                throw new ScheduleConfigException(
                    $"context schedule: stage {i} sequence length ({stages[i].Item2}) must exceed stage {i - 1}'s ({stages[i - 1].Item2}); context only lengthens.");
        return this;
    }
}
