using Llama.Core.Tokenization;

namespace Llama.Interop.Gguf;

/// <summary>
/// Our tiktoken-format tokenizer in the form llama.cpp's "gpt2" (byte-level BPE) vocabulary reads
/// (llama-vocab.cpp): every token as a string in GPT-2's byte-to-unicode spelling, its type, and the
/// merges "left right" in priority order. tiktoken has ranks, not merges; as Hugging Face's tiktoken converter
/// does, each token's merge is found by running BPE on its bytes with only the lower ranks allowed, which must
/// end in exactly two parts. Merge priority then equals the rank of the merged token, so llama.cpp's BPE
/// reproduces tiktoken's.
/// </summary>
public sealed record GgufVocabulary(IReadOnlyList<string> Tokens, IReadOnlyList<int> TokenTypes, IReadOnlyList<string> Merges)
{
    // llama.h enum llama_token_type.
    public const int Normal = 1;
    public const int Control = 3;
    public const int Unused = 5;

    /// <summary>
    /// The vocabulary for a model of <paramref name="modelVocabSize"/> rows: a larger embedding than the tokenizer
    /// (padded for speed) gets unused "[PAD<i>]" entries, as convert_hf_to_gguf.py pads, because llama.cpp
    /// sizes the embedding from the token list.
    /// </summary>
    public static GgufVocabulary From(Llama3Tokenizer tokenizer, int modelVocabSize)
    {
        if (modelVocabSize < tokenizer.VocabSize)
            throw new GgufExportException($"the tokenizer has {tokenizer.VocabSize} tokens but the model's vocab_size is {modelVocabSize}: they must belong together");
        var ranks = tokenizer.GetRanks();
        var tokens = new string[modelVocabSize];
        var types = new int[modelVocabSize];
        for (int id = 0; id < modelVocabSize; id++)
        {
            if (id < ranks.Count) (tokens[id], types[id]) = (ByteLevelAlphabet.Encode(ranks[id]), Normal);
            else if (id < tokenizer.VocabSize) (tokens[id], types[id]) = (tokenizer.TokenToString(id)!, Control);
            else (tokens[id], types[id]) = ($"[PAD{id}]", Unused);
        }
        return new GgufVocabulary(tokens, types, MergesFromRanks(tokens.AsSpan(0, ranks.Count).ToArray()));
    }

    /// <summary>The merge that builds each multi-byte token (given in byte-level spelling, index = rank), in rank order.</summary>
    internal static IReadOnlyList<string> MergesFromRanks(IReadOnlyList<string> byteLevelTokens)
    {
        var rankOf = new Dictionary<string, int>(byteLevelTokens.Count, StringComparer.Ordinal);
        for (int r = 0; r < byteLevelTokens.Count; r++) rankOf[byteLevelTokens[r]] = r;
        var merges = new List<string>(byteLevelTokens.Count);
        for (int rank = 0; rank < byteLevelTokens.Count; rank++)
        {
            string token = byteLevelTokens[rank];
            if (token.Length < 2) continue; // a single byte is a base symbol, not a merge
            var parts = BpeBelowRank(token, rank, rankOf);
            if (parts.Count != 2)
                throw new GgufExportException($"token rank {rank} ('{token}') cannot be built by merging two lower-ranked tokens " +
                    $"(BPE over lower ranks gives {parts.Count} parts): the ranks are not a BPE merge order");
            merges.Add(parts[0] + " " + parts[1]);
        }
        return merges;
    }

    /// <summary>tiktoken's byte-pair merge of <paramref name="token"/>, using only tokens ranked below <paramref name="maxRank"/>.</summary>
    private static List<string> BpeBelowRank(string token, int maxRank, Dictionary<string, int> rankOf)
    {
        // Each character of a byte-level string stands for one byte, so the characters are the initial parts.
        var parts = token.Select(c => c.ToString()).ToList();
        while (parts.Count > 1)
        {
            int best = -1, bestRank = maxRank;
            for (int i = 0; i + 1 < parts.Count; i++)
            {
                if (rankOf.TryGetValue(parts[i] + parts[i + 1], out int r) && r < bestRank)
                    (best, bestRank) = (i, r);
            }
            if (best < 0) break;
            parts[best] += parts[best + 1];
            parts.RemoveAt(best + 1);
        }
        return parts;
    }
}

/// <summary>A model that cannot be exported as asked; the message says what is missing or wrong.</summary>
public sealed class GgufExportException(string message, Exception? inner = null) : Exception(message, inner);
