namespace Llama.Core.Tokenization;

/// <summary>
/// Derives a Hugging Face merge list from tiktoken ranks. tiktoken merges any adjacent pair whose
/// concatenation is a token, lowest rank first; Hugging Face's BPE merges only listed pairs, by list position.
/// Listing, for every token in rank order, each split into two tokens makes the two agree — the same
/// construction transformers' tiktoken converter uses (which is why Llama 3's tokenizer.json has ~280K merges).
/// </summary>
internal static class BpeMergeList
{
    /// <summary>Merges as (left rank, right rank), ordered by the rank of their result, then left, then right.</summary>
    public static List<(int Left, int Right)> Derive(IReadOnlyList<byte[]> ranks)
    {
        var rankOf = new Dictionary<string, int>(ranks.Count, StringComparer.Ordinal);
        var spelled = new string[ranks.Count];
        for (var r = 0; r < ranks.Count; r++)
        {
            // Latin-1 style: one char per byte, so substrings are byte slices.
            spelled[r] = string.Create(ranks[r].Length, ranks[r], static (span, bytes) =>
            {
                for (var i = 0; i < bytes.Length; i++) span[i] = (char)bytes[i];
            });
            rankOf[spelled[r]] = r;
        }

        var merges = new List<(int Left, int Right)>();
        var local = new List<(int Left, int Right)>();
        for (var r = 0; r < ranks.Count; r++)
        {
            var token = spelled[r];
            local.Clear();
            for (var split = 1; split < token.Length; split++)
            {
                if (rankOf.TryGetValue(token[..split], out var left) && rankOf.TryGetValue(token[split..], out var right))
                    local.Add((left, right));
            }
            local.Sort();
            merges.AddRange(local);
        }
        return merges;
    }
}
