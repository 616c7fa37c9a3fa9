namespace Llama.Curation.Decontamination;

/// <summary>Options of <see cref="Decontaminator"/>.</summary>
public sealed record DecontaminatorOptions
{
    /// <summary>
    /// Words per n-gram. 13 follows GPT-3's train/test overlap removal (Brown et al. 2020, appendix C); long enough
    /// that shared phrases of ordinary English rarely match, short enough to catch a quoted question.
    /// </summary>
    public int NgramWords { get; init; } = 13;

    /// <summary>A training document is dropped when it shares at least this many n-grams with the evaluation texts.</summary>
    public int MinimumMatches { get; init; } = 1;

    /// <summary>
    /// JSON fields read from JSONL evaluation files (string values, or arrays of strings). Null reads every string
    /// value in each record, so any eval format works without configuration.
    /// </summary>
    public IReadOnlyList<string>? JsonFields { get; init; }
}
