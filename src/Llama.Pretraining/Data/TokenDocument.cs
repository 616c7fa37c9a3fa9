namespace Llama.Pretraining.Data;

/// <summary>
/// One tokenized document of a shard set, with where it came from for error messages. Documents opened from
/// shards do not hold their ids: <see cref="Tokens"/> reads them through the set's <see cref="ShardTokenCache"/>,
/// which keeps only a few shards in memory, so a corpus larger than memory streams shard by shard.
/// </summary>
public sealed class TokenDocument
{
    private readonly int[]? _tokens;
    private readonly ShardTokenCache? _cache;

    /// <summary>A document whose ids are in memory (tests, small in-memory sets).</summary>
    /// <param name="id">The curation stage's document id (the train/validation split hashes it).</param>
    /// <param name="domain">general, code, math, multilingual, ...: what the domain mix samples by.</param>
    /// <param name="source">The raw source the document was curated from.</param>
    /// <param name="language">Language code from language identification.</param>
    /// <param name="shard">Full path of the Parquet shard holding the document.</param>
    /// <param name="row">Row of the document in its shard, counted from 0.</param>
    /// <param name="tokens">Token ids, <c>&lt;|begin_of_text|&gt;</c> first and <c>&lt;|end_of_text|&gt;</c> last.</param>
    public TokenDocument(string id, string domain, string source, string language, string shard, int row, int[] tokens)
        : this(id, domain, source, language, shard, row, tokens.Length) => _tokens = tokens;

    /// <summary>A document of a shard whose ids <paramref name="cache"/> reads when they are needed.</summary>
    internal TokenDocument(string id, string domain, string source, string language, string shard, int row, int length, ShardTokenCache cache)
        : this(id, domain, source, language, shard, row, length) => _cache = cache;

    private TokenDocument(string id, string domain, string source, string language, string shard, int row, int length)
    {
        (Id, Domain, Source, Language, Shard, Row, Length) = (id, domain, source, language, shard, row, length);
    }

    public string Id { get; }
    public string Domain { get; }
    public string Source { get; }
    public string Language { get; }
    public string Shard { get; }
    public int Row { get; }

    /// <summary>Number of token ids, known without reading them (the shard's <c>num_tokens</c> column).</summary>
    public int Length { get; }

    /// <summary>The token ids; for a shard document, read (and cached with its shard) on first use.</summary>
    public int[] Tokens => _tokens ?? _cache!.Tokens(this);

    /// <summary>"file row N (document 'id')": how error messages point at this document.</summary>
    public string Location => $"{Shard} row {Row} (document '{Id}')";
}
