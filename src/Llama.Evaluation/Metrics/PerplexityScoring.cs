using System.Text;
using System.Text.RegularExpressions;

namespace Llama.Evaluation.Metrics;

/// <summary>One text's rolling log-likelihood with the units perplexity is reported in.</summary>
public readonly record struct PerplexityItem(double LogLikelihood, int Words, int Bytes)
{
    /// <summary>Words as the harness counts them (<c>len(re.split(r"\s+", text))</c>) and UTF-8 bytes.</summary>
    public static PerplexityItem Of(string text, double logLikelihood) =>
        new(logLikelihood, Regex.Split(text, @"\s+").Length, Encoding.UTF8.GetByteCount(text));
}

/// <summary>
/// The harness's perplexity aggregates (lm_eval.api.metrics: weighted_perplexity, bits_per_byte): corpus-level
/// ratios of summed log-likelihood to summed units, not means of per-text values.
/// </summary>
public static class PerplexityScoring
{
    public static double WordPerplexity(IReadOnlyList<PerplexityItem> items) => Math.Exp(-items.Sum(i => i.LogLikelihood) / items.Sum(i => (double)i.Words));

    public static double BytePerplexity(IReadOnlyList<PerplexityItem> items) => Math.Exp(-items.Sum(i => i.LogLikelihood) / items.Sum(i => (double)i.Bytes));

    public static double BitsPerByte(IReadOnlyList<PerplexityItem> items) => -items.Sum(i => i.LogLikelihood) / items.Sum(i => (double)i.Bytes) / Math.Log(2);
}
