using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Pii;

/// <summary>
/// Replaces personal data with typed placeholders (the Llama 3 paper's "PII and safety filtering", section 3.1.1,
/// done here per document rather than per domain). Finds e-mail addresses, IBANs (mod-97 checked),
/// payment card numbers (Luhn checked), IPv6 and IPv4 addresses and telephone numbers, in that order (so a card number
/// is not read as a phone number), keeps the document with the redacted text and tags each kind's count
/// (<c>pii.email</c>, <c>pii.iban</c>, <c>pii.credit_card</c>, <c>pii.ip_address</c>, <c>pii.phone</c>). Drops only when
/// a pattern runs out of time (<c>pii.timeout</c>).
/// </summary>
public sealed class PiiRedactor : IDocumentStage
{
    private readonly PiiRedactorOptions _options;
    private readonly PiiDetector[] _detectors;

    /// <summary>A redactor with <paramref name="options"/> (all kinds, typed placeholders when null).</summary>
    public PiiRedactor(PiiRedactorOptions? options = null)
    {
        _options = options ?? new PiiRedactorOptions();
        _detectors = Enum.GetValues<PiiKind>()
            .Where(_options.Kinds.Contains)
            .Select(kind => PiiDetector.For(kind, _options.MatchTimeout))
            .ToArray();
    }

    /// <inheritdoc />
    public string Name => "pii";

    /// <summary>A pattern took longer than <see cref="PiiRedactorOptions.MatchTimeout"/>.</summary>
    public const string TimeoutReason = "pii.timeout";

    /// <summary>The tag that counts redactions of <paramref name="kind"/> (both IP versions share <c>pii.ip_address</c>).</summary>
    public static string TagFor(PiiKind kind) => kind switch
    {
        PiiKind.Email => "pii.email",
        PiiKind.Iban => "pii.iban",
        PiiKind.CreditCard => "pii.credit_card",
        PiiKind.IpV4Address or PiiKind.IpV6Address => "pii.ip_address",
        PiiKind.Phone => "pii.phone",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown PII kind"),
    };

    /// <inheritdoc />
    public StageVerdict Process(CurationDocument document)
    {
        var text = document.Text;
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var detector in _detectors)
            {
                var (redacted, found) = Redact(text, detector, PlaceholderFor(detector.Kind));
                if (found == 0) continue;
                text = redacted;
                var tag = TagFor(detector.Kind);
                counts[tag] = counts.GetValueOrDefault(tag) + found;
            }
        }
        catch (RegexMatchTimeoutException e)
        {
            return StageVerdict.Dropped(TimeoutReason, $"pattern took longer than {e.MatchTimeout}");
        }

        if (counts.Count == 0) return StageVerdict.Kept(document);
        var result = document with { Text = text };
        foreach (var (tag, count) in counts) result = result.WithTag(tag, count.ToString(CultureInfo.InvariantCulture));
        return StageVerdict.Kept(result);
    }

    private static (string Text, int Found) Redact(string text, PiiDetector detector, string placeholder)
    {
        StringBuilder? builder = null;
        var copied = 0;
        var found = 0;
        foreach (var (start, length) in detector.Find(text))
        {
            builder ??= new StringBuilder(text.Length);
            builder.Append(text, copied, start - copied).Append(placeholder);
            copied = start + length;
            found++;
        }
        if (builder is null) return (text, 0);
        builder.Append(text, copied, text.Length - copied);
        return (builder.ToString(), found);
    }

    private string PlaceholderFor(PiiKind kind) => kind switch
    {
        PiiKind.Email => _options.EmailPlaceholder,
        PiiKind.Iban => _options.IbanPlaceholder,
        PiiKind.CreditCard => _options.CreditCardPlaceholder,
        PiiKind.IpV4Address or PiiKind.IpV6Address => _options.IpAddressPlaceholder,
        PiiKind.Phone => _options.PhonePlaceholder,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown PII kind"),
    };
}
