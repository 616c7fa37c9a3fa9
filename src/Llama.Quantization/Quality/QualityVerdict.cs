using Llama.Quantization.Quantizer;

namespace Llama.Quantization.Quality;

/// <summary>Percentiles of the per-row relative weight errors over every quantized row.</summary>
public sealed record RowErrorDistribution(long Rows, double Mean, double P50, double P90, double P99, double Max, string WorstModule)
{
    public static RowErrorDistribution Of(IReadOnlyList<QuantizedModule> modules)
    {
        var all = modules.SelectMany(m => m.RowRelativeErrors).Select(e => (double)e).Order().ToArray();
        if (all.Length == 0) return new RowErrorDistribution(0, 0, 0, 0, 0, 0, "");
        double At(double q) => all[(int)Math.Min(all.Length - 1, Math.Floor(q * all.Length))];
        var worst = modules.MaxBy(m => m.RowRelativeErrors.Max())!;
        return new RowErrorDistribution(all.Length, all.Average(), At(0.5), At(0.9), At(0.99), all[^1], worst.Name);
    }
}

/// <summary>
/// The quantized model against the unquantized one, and whether that stays within the configured budget. A
/// quantization that does not is flagged: it is written and recorded, but not promoted.
/// </summary>
public sealed record QualityVerdict(
    double ReferencePerplexity, double QuantizedPerplexity, int ScoredTokens,
    double Top1Agreement, double ContinuationPrefixAgreement, int ContinuationsIdentical, int Continuations,
    double MaxPerplexityIncrease, double MinTop1Agreement, IReadOnlyList<string> Violations)
{
    /// <summary>Relative perplexity change: quantized / reference − 1.</summary>
    public double PerplexityIncrease => QuantizedPerplexity / ReferencePerplexity - 1;

    public bool Passed => Violations.Count == 0;

    public static QualityVerdict Judge(ModelMeasurement reference, ModelMeasurement quantized, QualityCheckConfig budget)
    {
        if (reference.Top1.Length != quantized.Top1.Length || reference.Continuations.Count != quantized.Continuations.Count)
            throw new ArgumentException("the two measurements were not taken on the same tokens");
        double agreement = reference.Top1.Zip(quantized.Top1).Count(p => p.First == p.Second) / (double)reference.Top1.Length;
        // After the first differing token the two continuations see different contexts, so only the common prefix counts.
        var prefixes = reference.Continuations.Zip(quantized.Continuations)
            .Select(p => (Common: p.First.Zip(p.Second).TakeWhile(t => t.First == t.Second).Count(), Length: Math.Max(p.First.Length, p.Second.Length)))
            .ToList();
        double prefixAgreement = prefixes.Count == 0 ? 1 : prefixes.Average(p => p.Length == 0 ? 1 : p.Common / (double)p.Length);
        int identical = prefixes.Count(p => p.Common == p.Length);

        var violations = new List<string>();
        double increase = quantized.Perplexity / reference.Perplexity - 1;
        if (!(increase <= budget.MaxPerplexityIncrease))
            violations.Add($"perplexity rose {increase:P2} ({reference.Perplexity:0.###} -> {quantized.Perplexity:0.###}), more than the budget of {budget.MaxPerplexityIncrease:P2}");
        if (!(agreement >= budget.MinTop1Agreement))
            violations.Add($"top-1 next-token agreement is {agreement:P2}, below the budget of {budget.MinTop1Agreement:P2}");
        return new QualityVerdict(reference.Perplexity, quantized.Perplexity, reference.ScoredTokens, agreement, prefixAgreement, identical,
            prefixes.Count, budget.MaxPerplexityIncrease, budget.MinTop1Agreement, violations);
    }
}
