namespace Llama.Alignment.Evaluation;

/// <summary>
/// The exact two-sided sign test: were <c>gained</c> and <c>lost</c> (pairs one model ranks right and the other
/// wrong, and the reverse) drawn from a fair coin? Used to say whether DPO's change in held-out preference accuracy
/// over SFT is more than the luck of which pairs flipped (ties, pairs both rank alike, carry no information).
/// </summary>
public static class SignTest
{
    /// <summary>P(a split at least as uneven as gained:lost | fair coin), two-sided; 1 when nothing flipped.</summary>
    public static double TwoSidedP(int gained, int lost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gained);
        ArgumentOutOfRangeException.ThrowIfNegative(lost);
        int n = gained + lost, k = Math.Min(gained, lost);
        if (n == 0) return 1;
        // Sum the binomial(n, 1/2) tail P(X <= k) in log space so large n does not underflow term by term.
        double logTerm = -n * Math.Log(2), tail = 0;
        for (int i = 0; i <= k; i++)
        {
            tail += Math.Exp(logTerm);
            logTerm += Math.Log(n - i) - Math.Log(i + 1);
        }
        return Math.Min(1, 2 * tail);
    }
}
