using Llama.Core.Training;

namespace Llama.Pretraining.Optimization;

/// <summary>One stage of a <see cref="BatchRamp"/>: from <paramref name="TokensSeen"/> on, each step takes <paramref name="BatchTokens"/> tokens.</summary>
public sealed record BatchStage(long TokensSeen, long BatchTokens);

/// <summary>
/// Batch size (tokens per optimizer step) as a function of the tokens trained on so far. Llama 3 405B
/// ("The Llama 3 Herd of Models", arXiv 2407.21783, section 3.4.1): 4M tokens per batch at sequence 4,096, doubled
/// to 8M (at sequence 8,192) after 252M tokens, doubled again to 16M after 2.87T tokens — small batches early for
/// stability, large ones later for efficiency. A pure function of the tokens seen, which a checkpoint records.
/// </summary>
/// <param name="Stages">Stages in order: the first starts at 0 tokens, thresholds strictly increase, sizes are positive.</param>
public sealed record BatchRamp(IReadOnlyList<BatchStage> Stages)
{
    /// <summary>The paper's 405B ramp (tokens as powers of two: 4M = 1,024 sequences of 4,096).</summary>
    public static BatchRamp Llama3Paper405B { get; } = new([
        new(0, 4L << 20),
        new(252_000_000, 8L << 20),
        new(2_870_000_000_000, 16L << 20),
    ]);

    /// <summary>
    /// The paper's ramp scaled down for the tiny presets: 4,096 tokens (32 sequences of 128), doubled after 60 such
    /// batches (the paper doubles after ~60 of its 4M batches) and again after 4M tokens.
    /// </summary>
    public static BatchRamp Tiny { get; } = new([
        new(0, 4_096),
        new(60 * 4_096, 8_192),
        new(4_000_000, 16_384),
    ]);

    /// <summary>One batch size throughout.</summary>
    public static BatchRamp Constant(long batchTokens) => new([new BatchStage(0, batchTokens)]);

    /// <summary>Tokens per step once <paramref name="tokensSeen"/> tokens have been trained on.</summary>
    public long BatchTokensAt(long tokensSeen) => StageAt(tokensSeen).BatchTokens;

    /// <summary>
    /// Sequences per step at <paramref name="sequenceLength"/>; the stage's token count must be a whole number of
    /// sequences, so a ramp and a context schedule that disagree fail loudly instead of rounding.
    /// </summary>
    public int SequencesAt(long tokensSeen, int sequenceLength)
    {
        if (sequenceLength <= 0) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "Sequence length must be > 0.");
        long tokens = BatchTokensAt(tokensSeen);
        if (tokens % sequenceLength != 0)
            throw new ScheduleConfigException($"batch ramp: {tokens} tokens per batch (at {tokensSeen} tokens seen) is not a whole number of {sequenceLength}-token sequences.");
        return checked((int)(tokens / sequenceLength));
    }

    private BatchStage StageAt(long tokensSeen)
    {
        Validate();
        if (tokensSeen < 0) throw new ArgumentOutOfRangeException(nameof(tokensSeen), tokensSeen, "Tokens seen must be >= 0.");
        var stage = Stages[0];
        foreach (var s in Stages)
            if (s.TokensSeen <= tokensSeen) stage = s;
        return stage;
    }

    /// <summary>Throws <see cref="ScheduleConfigException"/> naming the first offending stage.</summary>
    public BatchRamp Validate()
    {
        StageOrder.Check("batch ramp", Stages?.Select(s => (s.TokensSeen, s.BatchTokens)).ToList());
        return this;
    }
}
