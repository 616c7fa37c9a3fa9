using Llama.Core.Training;

namespace Llama.Pretraining.Optimization;

/// <summary>The checks every tokens-seen staged schedule shares.</summary>
internal static class StageOrder
{
    /// <summary>At least one stage; the first at 0 tokens; thresholds strictly increasing; sizes positive.</summary>
    public static void Check(string what, IReadOnlyList<(long TokensSeen, long Size)>? stages)
    {
        if (stages is null || stages.Count == 0) throw new ScheduleConfigException($"{what}: needs at least one stage.");
        if (stages[0].TokensSeen != 0) throw new ScheduleConfigException($"{what}: stage 0 must start at 0 tokens seen, not {stages[0].TokensSeen}.");
        for (int i = 0; i < stages.Count; i++)
        {
            if (stages[i].Size <= 0) throw new ScheduleConfigException($"{what}: stage {i} size ({stages[i].Size}) must be > 0.");
            if (i > 0 && stages[i].TokensSeen <= stages[i - 1].TokensSeen)
                throw new ScheduleConfigException(
                    $"{what}: stage {i} threshold ({stages[i].TokensSeen} tokens) must exceed stage {i - 1}'s ({stages[i - 1].TokensSeen}).");
        }
    }
}
