namespace Llama.Alignment.Data;

/// <summary>What to do with an example longer than the context.</summary>
public enum OverlongPolicy
{
    /// <summary>Leave it out (counted).</summary>
    Skip,
    /// <summary>Cut the end off (counted); an example left with nothing to train on is skipped.</summary>
    Truncate,
}

/// <summary>How many examples fit the context as they were, were truncated, or were skipped.</summary>
public sealed record FitCounts(int Kept, int Truncated, int Skipped)
{
    public override string ToString() => $"{Kept} kept, {Truncated} truncated, {Skipped} skipped (longer than the context)";
}

/// <summary>Applies an <see cref="OverlongPolicy"/> to encoded examples for a context of <c>maxTokens</c>.</summary>
public static class ContextFit
{
    public static (List<EncodedConversation> Fitted, FitCounts Counts) Conversations(IEnumerable<EncodedConversation> examples, int maxTokens, OverlongPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        var kept = new List<EncodedConversation>();
        int truncated = 0, skipped = 0;
        foreach (var e in examples)
        {
            if (e.Ids.Length <= maxTokens) { kept.Add(e); continue; }
            if (policy == OverlongPolicy.Truncate && e.Targets.Take(maxTokens).Any(t => t))
            {
                kept.Add(e with { Ids = e.Ids[..maxTokens], Targets = e.Targets[..maxTokens] });
                truncated++;
            }
            else skipped++;
        }
        return (kept, new FitCounts(kept.Count - truncated, truncated, skipped));
    }

    /// <summary>Prompt plus the longer reply must fit; truncation shortens the replies (the prompt is kept whole).</summary>
    public static (List<EncodedPreference> Fitted, FitCounts Counts) Preferences(IEnumerable<EncodedPreference> pairs, int maxTokens, OverlongPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        var kept = new List<EncodedPreference>();
        int truncated = 0, skipped = 0;
        foreach (var p in pairs)
        {
            int room = maxTokens - p.Prompt.Length;
            if (room >= Math.Max(p.Chosen.Length, p.Rejected.Length)) { kept.Add(p); continue; }
            if (policy == OverlongPolicy.Truncate && room >= 1)
            {
                kept.Add(p with { Chosen = p.Chosen[..Math.Min(room, p.Chosen.Length)], Rejected = p.Rejected[..Math.Min(room, p.Rejected.Length)] });
                truncated++;
            }
            else skipped++;
        }
        return (kept, new FitCounts(kept.Count - truncated, truncated, skipped));
    }
}
