namespace Llama.Curation.Pii;

/// <summary>The kinds of personal data <see cref="PiiRedactor"/> finds, in the order it looks for them.</summary>
public enum PiiKind
{
    /// <summary>E-mail addresses.</summary>
    Email,
    /// <summary>IBANs whose country length and mod-97 check digits are right.</summary>
    Iban,
    /// <summary>Payment card numbers (13–19 digits, card-issuer prefix, Luhn check).</summary>
    CreditCard,
    /// <summary>IPv6 addresses.</summary>
    IpV6Address,
    /// <summary>IPv4 addresses with valid octets.</summary>
    IpV4Address,
    /// <summary>Telephone numbers (international with +, North American, and trunk-prefix national formats).</summary>
    Phone,
}
