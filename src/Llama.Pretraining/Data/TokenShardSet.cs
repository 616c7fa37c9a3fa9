namespace Llama.Pretraining.Data;

/// <summary>
/// The tokenized output of the curation stage: <c>tokens/part-00000.parquet</c>, ... with one document per row.
/// Opening reads and checks every shard, so a bad file fails before training starts, not hours into it.
/// </summary>
/// <remarks>
/// Memory holds an index of the documents (id, domain, shard, row, length), not their token ids: those are read
/// shard by shard through a small cache (<see cref="ResidentShards"/> shards at most) when the sampler reaches
/// them. The sampler walks each domain one shard at a time (<see cref="DomainDocumentOrder"/>), so every shard is
/// read about once per epoch and a corpus larger than memory streams.
/// </remarks>
public sealed class TokenShardSet
{
    private readonly ShardTokenCache _cache;

    private TokenShardSet(string tokensDirectory, string? tokenizerDirectory, IReadOnlyList<string> shards, IReadOnlyList<TokenDocument> documents,
        ShardTokenCache cache)
    {
        _cache = cache;
        TokensDirectory = tokensDirectory;
        TokenizerDirectory = tokenizerDirectory;
        Shards = shards;
        Documents = documents;
        DocumentsByDomain = documents.GroupBy(d => d.Domain, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<TokenDocument>)g.ToArray(), StringComparer.Ordinal);
        TotalTokens = documents.Sum(d => (long)d.Length);
    }

    /// <summary>The folder holding the <c>part-*.parquet</c> shards.</summary>
    public string TokensDirectory { get; }

    /// <summary>The curated output's <c>tokenizer/</c> folder beside <c>tokens/</c>, or null when there is none.</summary>
    public string? TokenizerDirectory { get; }

    /// <summary>Full paths of the shards, in name order.</summary>
    public IReadOnlyList<string> Shards { get; }

    /// <summary>Every document, shard by shard in row order.</summary>
    public IReadOnlyList<TokenDocument> Documents { get; }

    /// <summary>Documents grouped by domain (domains in ordinal order, documents in shard/row order).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TokenDocument>> DocumentsByDomain { get; }

    /// <summary>Token ids in all documents.</summary>
    public long TotalTokens { get; }

    /// <summary>At most this many shards' token ids are in memory: one per domain the sampler walks, plus two.</summary>
    public int ResidentShards => _cache.Capacity;

    /// <summary>How many times a shard's token ids were read from disk since the set was opened.</summary>
    public int ShardReads => _cache.ShardReads;

    /// <summary>Opens a curated output folder (the one holding <c>tokens/</c>) or the <c>tokens/</c> folder itself.</summary>
    public static TokenShardSet Open(string folder) => OpenAsync(folder).GetAwaiter().GetResult();

    /// <inheritdoc cref="Open"/>
    public static async Task<TokenShardSet> OpenAsync(string folder, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new TokenShardException(full, $"{full}: no such folder (expected a curated output folder holding tokens/part-*.parquet, or that tokens/ folder)");
        var nested = Path.Combine(full, "tokens");
        var tokensDirectory = Directory.Exists(nested) ? nested : full;
        var shards = Directory.GetFiles(tokensDirectory, "part-*.parquet").Order(StringComparer.Ordinal).ToArray();
        if (shards.Length == 0)
            throw new TokenShardException(tokensDirectory, $"{tokensDirectory}: no token shards (part-*.parquet); is this the output of `llama curate`?");

        var cache = new ShardTokenCache();
        var documents = new List<TokenDocument>();
        foreach (var shard in shards) documents.AddRange(await TokenShardReader.ReadIndexAsync(shard, cache, cancellationToken));
        if (documents.Count == 0)
            throw new TokenShardException(tokensDirectory, $"{tokensDirectory}: the {shards.Length} shard(s) hold no documents");

        var tokenizer = Path.Combine(Path.GetDirectoryName(tokensDirectory)!, "tokenizer");
        var set = new TokenShardSet(tokensDirectory, Directory.Exists(tokenizer) ? tokenizer : null, shards, documents, cache);
        cache.Capacity = set.DocumentsByDomain.Count + 2;
        return set;
    }

    /// <summary>
    /// Checks that the shards were tokenized for this model: every id below <paramref name="vocabSize"/>, and each
    /// document starting with <paramref name="bosId"/> and ending with <paramref name="eosId"/> (when given).
    /// Shards from another tokenizer would otherwise train silently on wrong ids or crash the embedding lookup.
    /// </summary>
    /// <exception cref="TokenShardException">Names the first file and document that does not fit.</exception>
    public void ValidateVocabulary(int vocabSize, int? bosId, int? eosId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        const string Hint = "the shards were tokenized with a different tokenizer than the model's";
        foreach (var document in Documents)
        {
            var tokens = document.Tokens;
            for (int i = 0; i < tokens.Length; i++)
            {
                if ((uint)tokens[i] >= (uint)vocabSize)
                    throw Mismatch(document, $"token id {tokens[i]} at index {i} is outside the vocabulary of {vocabSize} ids; {Hint}");
            }
            if (bosId is { } bos && tokens[0] != bos)
                throw Mismatch(document, $"starts with token {tokens[0]}, not <|begin_of_text|> ({bos}); {Hint}");
            if (eosId is { } eos && tokens[^1] != eos)
                throw Mismatch(document, $"ends with token {tokens[^1]}, not <|end_of_text|> ({eos}); {Hint}");
        }
    }

    /// <summary>Splits the documents into training and held-out validation by a hash of their ids.</summary>
    public TokenDataSplit Split(ValidationSplitOptions? options = null) => TokenDataSplit.ByDocumentIdHash(Documents, options ?? new ValidationSplitOptions());

    private static TokenShardException Mismatch(TokenDocument document, string problem) =>
        new(document.Shard, $"{document.Location}: {problem}", documentId: document.Id, row: document.Row);
}
