namespace Llama.Curation.Pii;

/// <summary>The Luhn (mod 10) check digit scheme of ISO/IEC 7812 payment card numbers.</summary>
internal static class LuhnChecksum
{
    /// <summary>Whether <paramref name="digits"/> (ASCII digits only) passes the Luhn check.</summary>
    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return digits.Length > 0 && sum % 10 == 0;
    }
}
