namespace Llama.Pretraining.Parallel;

/// <summary>
/// The order in which a pipeline stage runs its micro-batches' forward (F) and backward (B) passes.
/// GPipe (Huang et al., 2019): all forwards, then all backwards. 1F1B (PipeDream-Flush, Narayanan et al., 2021):
/// stage s of p runs min(p − s − 1, m) warm-up forwards, then alternates one forward and one backward, then drains
/// the remaining backwards, so at most p − s micro-batches' activations are alive at once.
/// </summary>
public static class PipelineOrder
{
    public static IEnumerable<(bool Forward, int MicroBatch)> For(PipelineSchedule schedule, int stage, int stages, int microBatches)
    {
        if (schedule == PipelineSchedule.GPipe)
        {
            for (int m = 0; m < microBatches; m++) yield return (true, m);
            for (int m = 0; m < microBatches; m++) yield return (false, m);
            yield break;
        }
        int warmup = Math.Min(stages - stage - 1, microBatches);
        int forward = 0, backward = 0;
        for (; forward < warmup; forward++) yield return (true, forward);
        while (forward < microBatches)
        {
            yield return (true, forward++);
            yield return (false, backward++);
        }
        while (backward < microBatches) yield return (false, backward++);
    }
}
