using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Llama.Curation.Pii;

/// <summary>
/// Finds one kind of personal data: a candidate regex (compiled once) and a check that confirms each candidate and
/// may shorten it. Regexes learn from redact-pii's (MIT) and datatrove's, tightened by the checks so that dates,
/// version numbers, ISBNs and plain integers stay.
/// </summary>
internal sealed class PiiDetector
{
    private const RegexOptions Options = RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    // Letters, digits and underscore: a match must not continue a longer token on either side.
    private const string Alnum = @"\p{L}\p{N}_";

    private readonly Regex _candidates;
    private readonly Func<string, Match, int?> _confirmedLength;

    private PiiDetector(PiiKind kind, Regex candidates, Func<string, Match, int?> confirmedLength)
    {
        Kind = kind;
        _candidates = candidates;
        _confirmedLength = confirmedLength;
    }

    /// <summary>What this detector finds.</summary>
    public PiiKind Kind { get; }

    /// <summary>The confirmed spans of <paramref name="text"/>, in order and not overlapping.</summary>
    public IEnumerable<(int Start, int Length)> Find(string text)
    {
        foreach (Match match in _candidates.Matches(text))
            if (_confirmedLength(text, match) is { } length)
                yield return (match.Index, length);
    }

    /// <summary>The detector for <paramref name="kind"/>, its regex bounded by <paramref name="timeout"/>.</summary>
    public static PiiDetector For(PiiKind kind, TimeSpan timeout) => kind switch
    {
        // RFC 5322's common subset: local part, @, dot-separated labels, a letters-only top-level domain.
        PiiKind.Email => new(kind, new Regex(
            $@"(?<![{Alnum}.%+-])[{Alnum}.%+-]+@[\p{{L}}\p{{N}}-]+(?:\.[\p{{L}}\p{{N}}-]+)*\.\p{{L}}{{2,63}}(?![{Alnum}-])",
            Options, timeout), (_, m) => m.Length),

        // Country code, two check digits, then 11-30 letters or digits, optionally in groups of four.
        PiiKind.Iban => new(kind, new Regex(
            $@"(?<![{Alnum}])[A-Z]{{2}}[0-9]{{2}}(?:[ ]?[A-Z0-9]){{11,30}}", Options, timeout), ConfirmIban),

        // 13-19 digits, optionally separated by single spaces or dashes; not the digits of an IBAN-shaped number
        // (country code and check digits just before) whose mod-97 check failed.
        PiiKind.CreditCard => new(kind, new Regex(
            $@"(?<![{Alnum}-])(?<![A-Z]{{2}}[0-9]{{2}} ?)[0-9](?:[ -]?[0-9]){{12,18}}(?![{Alnum}]|-[0-9])", Options, timeout), ConfirmCreditCard),

        // Hex groups separated by colons (:: allowed), optionally ending in an IPv4; IPAddress.TryParse decides.
        PiiKind.IpV6Address => new(kind, new Regex(
            $@"(?<![{Alnum}:.])[0-9A-Fa-f]{{0,4}}(?::[0-9A-Fa-f]{{0,4}}){{2,7}}(?:(?<=:)[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}})?(?![{Alnum}:]|\.[0-9])",
            Options, timeout), ConfirmIpV6),

        // Four octets 0-255 without leading zeros; not part of a longer dotted number (so no 1.2.3.4.5 versions).
        PiiKind.IpV4Address => new(kind, new Regex(
            $@"(?<![{Alnum}.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{{2}}|[1-9]?[0-9])\.){{3}}(?:25[0-5]|2[0-4][0-9]|1[0-9]{{2}}|[1-9]?[0-9])(?![{Alnum}]|\.[0-9])",
            Options, timeout), (_, m) => m.Length),

        PiiKind.Phone => new(kind, new Regex(
            // International: + country code, optional (area code), digit groups separated by space, dot or dash.
            $@"(?<![{Alnum}+])\+[0-9]{{1,3}}(?:[ .-]?\([0-9]{{1,4}}\))?(?:[ .-]?[0-9]{{1,5}}){{1,6}}(?![{Alnum}])" +
            // North American: (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567.
            $@"|(?<![{Alnum}+.-])(?:\([0-9]{{3}}\)[ .-]?|[0-9]{{3}}[ .-])[0-9]{{3}}[ .-][0-9]{{4}}(?![{Alnum}]|[.-][0-9])" +
            // National with a trunk prefix 0 (most of Europe, Asia, Africa): 030 1234567, 020 7946 0958, 01 23 45 67 89.
            $@"|(?<![{Alnum}+.,/-])(?:\(0[0-9]{{1,4}}\)|0[0-9]{{1,4}})(?:[ ./-]?[0-9]{{2,4}}){{2,4}}(?![{Alnum}]|[.,/-][0-9])",
            Options, timeout), ConfirmPhone),

        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown PII kind"),
    };

    private static int? ConfirmIban(string text, Match match)
    {
        var country = match.Value[..2];
        if (IbanValidator.LengthOf(country) is not { } expected) return null;
        // The candidate may run into following words; take exactly the country's length of letters and digits.
        Span<char> compact = stackalloc char[34];
        var taken = 0;
        var end = match.Index;
        while (end < match.Index + match.Length && taken < expected)
        {
            if (text[end] != ' ') compact[taken++] = text[end];
            end++;
        }
        if (taken < expected) return null;
        if (end < text.Length && char.IsLetterOrDigit(text[end])) return null;
        return IbanValidator.HasValidCheckDigits(compact[..taken]) ? end - match.Index : null;
    }

    private static int? ConfirmCreditCard(string text, Match match)
    {
        Span<char> digits = stackalloc char[19];
        var count = 0;
        foreach (var c in match.ValueSpan)
            if (c is >= '0' and <= '9') digits[count++] = c;
        // ISO/IEC 7812 major industry identifiers 2-6 are the card networks (Mastercard 2/5, Amex and Diners 3,
        // Visa 4, Discover and UnionPay 6); 9 (national use) is where ISBN-13s (978/979) fall.
        if (digits[0] is < '2' or > '6') return null;
        return LuhnChecksum.IsValid(digits[..count]) ? match.Length : null;
    }

    private static int? ConfirmIpV6(string text, Match match)
    {
        var value = match.Value;
        // A digit is required so that identifiers like a::b or dead::beef (code, not addresses) stay.
        if (!value.Any(char.IsAsciiDigit)) return null;
        return IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? match.Length
            : null;
    }

    private static readonly Regex DateLike = new(@"^[0-9]{1,4}([./-])[0-9]{1,2}\1[0-9]{1,4}(?![0-9])",
        RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static int? ConfirmPhone(string text, Match match)
    {
        var value = match.ValueSpan;
        var digits = 0;
        var hasSeparator = false;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c)) digits++;
            else if (c != '+') hasSeparator = true;
        }
        if (value[0] == '+') return digits is >= 8 and <= 15 ? match.Length : null; // E.164: at most 15 digits
        // A national number needs a separator (a bare digit run is just a number) and must not start like a date.
        if (!hasSeparator || DateLike.IsMatch(match.Value)) return null;
        return digits is >= 9 and <= 12 ? match.Length : null;
    }
}
