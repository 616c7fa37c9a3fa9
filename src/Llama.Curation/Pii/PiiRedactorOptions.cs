namespace Llama.Curation.Pii;

/// <summary>
/// Settings of <see cref="PiiRedactor"/>. Placeholders are typed tags in the style of Presidio's default
/// <c>&lt;ENTITY_TYPE&gt;</c> replacement (datatrove's <c>PIIFormatter</c> instead substitutes fake values such as
/// <c>email@example.com</c>; a tag is easier to spot in training data and cannot collide with a real address).
/// </summary>
public sealed record PiiRedactorOptions
{
    /// <summary>Which kinds to redact (all by default).</summary>
    public IReadOnlyList<PiiKind> Kinds { get; init; } = Enum.GetValues<PiiKind>();

    /// <summary>Replaces e-mail addresses.</summary>
    public string EmailPlaceholder { get; init; } = "<EMAIL>";

    /// <summary>Replaces telephone numbers.</summary>
    public string PhonePlaceholder { get; init; } = "<PHONE>";

    /// <summary>Replaces IPv4 and IPv6 addresses.</summary>
    public string IpAddressPlaceholder { get; init; } = "<IP_ADDRESS>";

    /// <summary>Replaces payment card numbers.</summary>
    public string CreditCardPlaceholder { get; init; } = "<CREDIT_CARD>";

    /// <summary>Replaces IBANs.</summary>
    public string IbanPlaceholder { get; init; } = "<IBAN>";

    /// <summary>
    /// Longest time one pattern may spend on one document; past it the document is dropped
    /// (<c>pii.timeout</c>) rather than kept with personal data possibly left in.
    /// </summary>
    public TimeSpan MatchTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
