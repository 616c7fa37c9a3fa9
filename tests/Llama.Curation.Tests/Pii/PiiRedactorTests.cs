using Llama.Curation.Documents;
using Llama.Curation.Pii;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Pii;

public class PiiRedactorTests
{
    private readonly PiiRedactor _redactor = new();

    private CurationDocument Redact(string text) =>
        Assert.IsType<StageVerdict.Keep>(_redactor.Process(new CurationDocument("test/pii", text, "test"))).Document;

    [Theory]
    [InlineData("jane.doe@example.com")]
    [InlineData("j.doe+newsletter@mail.example.co.uk")]
    [InlineData("info@müller-bau.de")]
    public void Email_addresses_are_redacted(string email)
    {
        var document = Redact($"Write to {email} for details.");
        Assert.Equal("Write to <EMAIL> for details.", document.Text);
        Assert.Equal("1", document.Tags["pii.email"]);
    }

    [Theory]
    [InlineData("+1 (555) 123-4567")]
    [InlineData("+44 20 7946 0958")]
    [InlineData("+49 30 1234567")]
    [InlineData("+33 1 23 45 67 89")]
    [InlineData("+14155552671")]
    [InlineData("(555) 123-4567")]
    [InlineData("555-123-4567")]
    [InlineData("555.123.4567")]
    [InlineData("020 7946 0958")]
    [InlineData("030 1234567")]
    [InlineData("01 23 45 67 89")]
    [InlineData("(030) 123 4567")]
    public void Phone_numbers_are_redacted(string phone)
    {
        var document = Redact($"Call {phone} today.");
        Assert.Equal("Call <PHONE> today.", document.Text);
        Assert.Equal("1", document.Tags["pii.phone"]);
    }

    [Theory]
    [InlineData("192.168.1.20")]
    [InlineData("8.8.8.8")]
    [InlineData("255.255.255.255")]
    [InlineData("2001:db8::8a2e:370:7334")]
    [InlineData("2001:0db8:85a3:0000:0000:8a2e:0370:7334")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:192.0.2.1")]
    public void Ip_addresses_are_redacted(string address)
    {
        var document = Redact($"The server at {address} answered.");
        Assert.Equal("The server at <IP_ADDRESS> answered.", document.Text);
        Assert.Equal("1", document.Tags["pii.ip_address"]);
    }

    [Theory]
    [InlineData("4111 1111 1111 1111")]
    [InlineData("4111-1111-1111-1111")]
    [InlineData("5500000000000004")]
    [InlineData("3782 822463 10005")]
    [InlineData("6011 1111 1111 1117")]
    public void Luhn_valid_card_numbers_are_redacted(string card)
    {
        var document = Redact($"Card: {card}, expires soon.");
        Assert.Equal("Card: <CREDIT_CARD>, expires soon.", document.Text);
        Assert.Equal("1", document.Tags["pii.credit_card"]);
    }

    [Theory]
    [InlineData("DE89 3704 0044 0532 0130 00")]
    [InlineData("DE89370400440532013000")]
    [InlineData("GB82 WEST 1234 5698 7654 32")]
    [InlineData("FR14 2004 1010 0505 0001 3M02 606")]
    [InlineData("NO93 8601 1117 947")]
    public void Iban_with_valid_check_digits_is_redacted(string iban)
    {
        var document = Redact($"Pay to {iban} by Friday.");
        Assert.Equal("Pay to <IBAN> by Friday.", document.Text);
        Assert.Equal("1", document.Tags["pii.iban"]);
    }

    [Fact]
    public void An_iban_followed_by_capitalised_words_is_cut_at_its_country_length()
    {
        Assert.Equal("IBAN <IBAN> AND BIC DEUTDEFF.", Redact("IBAN GB82 WEST 1234 5698 7654 32 AND BIC DEUTDEFF.").Text);
    }

    [Theory]
    [InlineData("Card: 4111 1111 1111 1112, expires soon.")]          // Luhn fails
    [InlineData("Ref 5500000000000005 was cancelled.")]               // Luhn fails
    [InlineData("Pay to DE89 3704 0044 0532 0130 01 by Friday.")]     // mod-97 fails
    [InlineData("Pay to GB83 WEST 1234 5698 7654 32 by Friday.")]     // wrong check digits
    [InlineData("Pay to XX89 3704 0044 0532 0130 00 by Friday.")]     // no such country
    [InlineData("The meeting is on 2024-01-15 at 10:30.")]
    [InlineData("The meeting is on 15.01.2024 or 01/02/2024.")]
    [InlineData("On 05/06/2023 10 people came.")]
    [InlineData("Install Python 3.11.7 or version 1.2.3 first.")]
    [InlineData("Windows build 10.0.19041.1234 is required.")]
    [InlineData("ISBN 978-3-16-148410-0 and ISBN 0-306-40615-2.")]
    [InlineData("ISBN 9780306406157 is printed on the back.")]
    [InlineData("The population was 1,234,567 in 2020.")]
    [InlineData("Order number 1234567890 shipped.")]
    [InlineData("Order number 0123456789 shipped.")]
    [InlineData("Pi is 3.14159 and the time is 12:30:45.")]
    [InlineData("Use std::vector or a::b in code.")]
    [InlineData("Scores were 0.25 0.5 0.125 in the test.")]
    public void Things_that_only_look_like_pii_are_left_alone(string text)
    {
        var document = new CurationDocument("test/pii", text, "test");
        Assert.Same(document, Assert.IsType<StageVerdict.Keep>(_redactor.Process(document)).Document);
    }

    [Fact]
    public void Counts_are_tagged_per_kind()
    {
        var document = Redact("Mail a@example.com or b@example.org, call +44 20 7946 0958, server 10.0.0.1.");
        Assert.Equal("Mail <EMAIL> or <EMAIL>, call <PHONE>, server <IP_ADDRESS>.", document.Text);
        Assert.Equal("2", document.Tags["pii.email"]);
        Assert.Equal("1", document.Tags["pii.phone"]);
        Assert.Equal("1", document.Tags["pii.ip_address"]);
        Assert.False(document.Tags.ContainsKey("pii.credit_card"));
    }

    [Fact]
    public void Kinds_not_chosen_are_left_alone()
    {
        var emailsOnly = new PiiRedactor(new PiiRedactorOptions { Kinds = [PiiKind.Email] });
        var verdict = emailsOnly.Process(new CurationDocument("t", "Mail a@example.com or call 555-123-4567.", "test"));
        Assert.Equal("Mail <EMAIL> or call 555-123-4567.", Assert.IsType<StageVerdict.Keep>(verdict).Document.Text);
    }

    [Fact]
    public void Placeholders_can_be_changed()
    {
        var redactor = new PiiRedactor(new PiiRedactorOptions { EmailPlaceholder = "email@example.com" });
        var verdict = redactor.Process(new CurationDocument("t", "Mail jane@corp.example.", "test"));
        Assert.Equal("Mail email@example.com.", Assert.IsType<StageVerdict.Keep>(verdict).Document.Text);
    }
}
