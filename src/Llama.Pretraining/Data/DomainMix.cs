namespace Llama.Pretraining.Data;

/// <summary>
/// Target shares of training tokens per domain. Weights need not sum to 1; the sampler renormalises them over the
/// domains the data has, so a mix naming an absent domain still works, and a domain the mix leaves out is not
/// trained on. Change the mix between batches to anneal on an up-weighted high-quality mix.
/// </summary>
public sealed class DomainMix
{
    /// <summary>Creates a mix from non-negative weights, at least one of them positive.</summary>
    public DomainMix(IReadOnlyDictionary<string, double> weights)
    {
        foreach (var (domain, weight) in weights)
            if (!double.IsFinite(weight) || weight < 0)
                throw new ArgumentOutOfRangeException(nameof(weights), weight, $"domain '{domain}': a mix weight must be finite and non-negative");
        if (!weights.Values.Any(w => w > 0))
            throw new ArgumentException("a domain mix needs at least one positive weight", nameof(weights));
        Weights = new SortedDictionary<string, double>(weights.ToDictionary(), StringComparer.Ordinal);
    }

    /// <summary>The Llama 3 pretraining mix (paper section 3.1.2): 50% general, 25% math and reasoning, 17% code, 8% multilingual.</summary>
    public static DomainMix Llama3 { get; } = new(new Dictionary<string, double>
    {
        ["general"] = 0.50, ["math"] = 0.25, ["code"] = 0.17, ["multilingual"] = 0.08,
    });

    /// <summary>The weights as given, by domain in ordinal order.</summary>
    public IReadOnlyDictionary<string, double> Weights { get; }

    /// <summary>
    /// Shares summing to 1 over <paramref name="availableDomains"/> (domains the mix does not name get 0).
    /// </summary>
    /// <exception cref="ArgumentException">The mix gives no weight to any available domain.</exception>
    public IReadOnlyDictionary<string, double> SharesOver(IEnumerable<string> availableDomains)
    {
        var available = availableDomains.Distinct().Order(StringComparer.Ordinal).ToArray();
        double total = available.Sum(d => Weights.GetValueOrDefault(d));
        if (total <= 0)
            throw new ArgumentException(
                $"the domain mix ({Describe()}) gives no weight to the domains in the data ({string.Join(", ", available)})");
        return available.ToDictionary(d => d, d => Weights.GetValueOrDefault(d) / total, StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();

    private string Describe() => string.Join(", ", Weights.Select(w => $"{w.Key} {w.Value:0.###}"));
}
