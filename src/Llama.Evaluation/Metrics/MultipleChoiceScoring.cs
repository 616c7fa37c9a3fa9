namespace Llama.Evaluation.Metrics;

/// <summary>
/// The harness's multiple-choice metrics for one item: <c>acc</c> = the choice with the highest summed
/// log-likelihood is the gold one; <c>acc_norm</c> = the same after dividing each log-likelihood by the choice's
/// length in characters (lm_eval's ConfigurableTask.process_results: <c>len(choice)</c>, Unicode code points).
/// Ties go to the first choice, as <c>np.argmax</c> does.
/// </summary>
public static class MultipleChoiceScoring
{
    public static (double Acc, double AccNorm) Score(IReadOnlyList<double> logLikelihoods, IReadOnlyList<string> choices, int gold)
    {
        if (logLikelihoods.Count != choices.Count) throw new ArgumentException($"{logLikelihoods.Count} log-likelihoods for {choices.Count} choices");
        if ((uint)gold >= (uint)choices.Count) throw new ArgumentOutOfRangeException(nameof(gold), gold, $"gold index must be in [0, {choices.Count})");
        int best = ArgMax(logLikelihoods.Count, i => logLikelihoods[i]);
        int bestNorm = ArgMax(logLikelihoods.Count, i => logLikelihoods[i] / Math.Max(1, CharacterCount(choices[i])));
        return (best == gold ? 1 : 0, bestNorm == gold ? 1 : 0);
    }

    /// <summary>Characters as Python counts them (code points), so an accented letter or a CJK character counts once.</summary>
    public static int CharacterCount(string text) => text.EnumerateRunes().Count();

    private static int ArgMax(int count, Func<int, double> value)
    {
        int best = 0;
        for (int i = 1; i < count; i++) if (value(i) > value(best)) best = i;
        return best;
    }
}
