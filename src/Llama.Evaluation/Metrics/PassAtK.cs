namespace Llama.Evaluation.Metrics;

/// <summary>
/// The unbiased pass@k estimator of Chen et al. 2021 (HumanEval, "Evaluating Large Language Models Trained on
/// Code"): with n samples of which c pass, <c>1 - C(n-c, k)/C(n, k)</c>, computed as the numerically stable product
/// <c>1 - prod_{i=n-c+1..n} (1 - k/i)</c>; 1 when fewer than k samples fail.
/// </summary>
public static class PassAtK
{
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "need at least one sample");
        if (c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), c, $"correct samples must be in [0, {n}]");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, n = {n}]");
        if (n - c < k) return 1.0;
        double failAll = 1.0;
        for (int i = n - c + 1; i <= n; i++) failAll *= 1.0 - (double)k / i;
        return 1.0 - failAll;
    }
}
