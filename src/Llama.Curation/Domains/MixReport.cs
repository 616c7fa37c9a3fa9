namespace Llama.Curation.Domains;

/// <summary>
/// One domain in a <see cref="MixReport"/>. Sizes are in characters (the tokenizer runs later; characters are its
/// proxy). <see cref="CharactersAfter"/> counts repeats; <see cref="DocumentsAfter"/> counts distinct documents kept.
/// </summary>
/// <param name="Target">Share after renormalising over domains with data; 0 for a domain without data.</param>
/// <param name="Achieved">Share of <see cref="CharactersAfter"/> in the whole mix.</param>
/// <param name="Copies">Average copies per kept character: below 1 is downsampling, above 1 repeating.</param>
public sealed record DomainMix(
    string Domain,
    long DocumentsBefore,
    long CharactersBefore,
    long DocumentsAfter,
    long CharactersAfter,
    double RequestedTarget,
    double Target,
    double Achieved,
    double Copies);

/// <summary>What <see cref="DomainMixer.Seal"/> decided: per domain sizes before and after, target and achieved share.</summary>
/// <param name="EmptyDomains">Domains with a target but no data; their share went to the others.</param>
public sealed record MixReport(IReadOnlyList<DomainMix> Domains, IReadOnlyList<string> EmptyDomains)
{
    public long CharactersBefore => Domains.Sum(d => d.CharactersBefore);

    public long CharactersAfter => Domains.Sum(d => d.CharactersAfter);

    public override string ToString() =>
        string.Join("; ", Domains.Select(d => $"{d.Domain}: target {d.Target:P1} achieved {d.Achieved:P1} ({d.CharactersAfter:N0} chars, x{d.Copies:F2})"))
        + (EmptyDomains.Count > 0 ? $"; no data for {string.Join(", ", EmptyDomains)} (renormalised)" : "");
}
