namespace Llama.Evaluation.Metrics;

/// <summary>
/// The standard error of a metric by bootstrap over items: resample the items with replacement, recompute the
/// metric, take the sample standard deviation of the replicates (lm_eval.api.metrics.bootstrap_stderr does the same
/// for metrics without a closed form). Seeded, so a result is reproducible.
/// </summary>
public static class BootstrapStandardError
{
    public const int DefaultResamples = 1000;

    public static double? Compute<T>(IReadOnlyList<T> items, Func<IReadOnlyList<T>, double> metric, int resamples = DefaultResamples, int seed = 1234)
    {
        if (items.Count < 2) return null;
        var random = new Random(seed);
        var replicates = new double[resamples];
        var sample = new T[items.Count];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < sample.Length; i++) sample[i] = items[random.Next(items.Count)];
            replicates[r] = metric(sample);
        }
        double mean = replicates.Average();
        return Math.Sqrt(replicates.Sum(v => (v - mean) * (v - mean)) / (resamples - 1));
    }

    /// <summary>Mean of per-item scores, with its bootstrap standard error.</summary>
    public static (double Value, double? StandardError) Mean(IReadOnlyList<double> scores, int seed = 1234) =>
        (scores.Count == 0 ? double.NaN : scores.Average(), Compute(scores, s => s.Average(), seed: seed));
}
