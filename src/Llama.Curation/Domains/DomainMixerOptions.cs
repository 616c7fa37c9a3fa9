namespace Llama.Curation.Domains;

/// <summary>Options of <see cref="DomainMixer"/>.</summary>
public sealed record DomainMixerOptions
{
    /// <summary>
    /// The paper's final pre-training mix (section 3.1.2): "roughly 50% of tokens corresponding to general knowledge,
    /// 25% of mathematical and reasoning tokens, 17% code tokens, and 8% multilingual tokens".
    /// </summary>
    public static readonly IReadOnlyDictionary<string, double> Llama3Mix = new Dictionary<string, double>
    {
        [DomainNames.General] = 0.50,
        [DomainNames.Math] = 0.25,
        [DomainNames.Code] = 0.17,
        [DomainNames.Multilingual] = 0.08,
    };

    /// <summary>Target share of each domain (any positive weights; normalised over the domains that have data).
    /// Documents of a domain not listed here pass through unmixed and uncounted.</summary>
    public IReadOnlyDictionary<string, double> Targets { get; init; } = Llama3Mix;

    /// <summary>
    /// Let scarce domains repeat (up to <see cref="MaximumRepeats"/> copies per document) instead of shrinking the
    /// others to match them. Repeats are the tag <see cref="DomainMixer.RepeatTag"/>, not duplicated documents.
    /// </summary>
    public bool AllowRepeat { get; init; }

    /// <summary>Most copies of one document when <see cref="AllowRepeat"/> is on. 4: Muennighoff et al. (2023),
    /// "Scaling Data-Constrained Language Models", find up to 4 epochs of repeated data nearly as good as new data.</summary>
    public int MaximumRepeats { get; init; } = 4;

    /// <summary>Seed of the hash that orders documents for sampling; change it to draw a different sample.</summary>
    public ulong Seed { get; init; }
}
