using Parquet;
using Parquet.Serialization;

namespace Llama.Pretraining.Data;

/// <summary>Reads <c>part-*.parquet</c> token shards: the index of a shard's documents, or just its token ids.</summary>
internal static class TokenShardReader
{
    /// <summary>Columns without which a shard cannot be trained on: the split hashes ids, the mix samples domains.</summary>
    private static readonly string[] RequiredColumns = ["id", "domain", "tokens"];

    /// <summary>
    /// Reads and checks a whole shard once, returning its documents without their ids (they are read again through
    /// <paramref name="cache"/> when training needs them): memory holds one shard at a time while a set opens.
    /// </summary>
    public static async Task<List<TokenDocument>> ReadIndexAsync(string shard, ShardTokenCache cache, CancellationToken cancellationToken)
    {
        IList<TokenShardRow> rows;
        bool hasNumTokens;
        try
        {
            await using var stream = File.OpenRead(shard);
            // Check the schema first so a shard without `tokens` fails naming the column, rather than with
            // whatever the serializer makes of a class property the file lacks.
            string[] columns;
            await using (var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken))
                columns = reader.Schema.Fields.Select(f => f.Name).ToArray();
            var missing = RequiredColumns.Where(c => !columns.Contains(c)).ToArray();
            if (missing.Length > 0)
                throw new TokenShardException(shard,
                    $"{shard}: missing column{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing.Select(c => $"'{c}'"))} " +
                    $"(a token shard has id, source, domain, lang, num_tokens, tokens; found: {string.Join(", ", columns)})");
            hasNumTokens = columns.Contains("num_tokens");
            stream.Position = 0;
            rows = (await ParquetSerializer.DeserializeAsync<TokenShardRow>(stream, cancellationToken: cancellationToken)).Data;
        }
        catch (Exception e) when (e is not TokenShardException and not OperationCanceledException)
        {
            throw new TokenShardException(shard, $"{shard}: not a readable token shard ({e.GetType().Name}: {e.Message})", e);
        }

        var documents = new List<TokenDocument>(rows.Count);
        for (int row = 0; row < rows.Count; row++)
        {
            var r = rows[row];
            var tokens = r.Tokens ?? [];
            var document = new TokenDocument(r.Id ?? "", r.Domain ?? "", r.Source ?? "", r.Language ?? "", shard, row, tokens.Length, cache);
            // A document needs two tokens to give the model one prediction (its first token only predicts the second).
            if (tokens.Length < 2)
                throw new TokenShardException(shard, $"{document.Location}: {tokens.Length} token(s); a document holds at least <|begin_of_text|> and <|end_of_text|>", documentId: document.Id, row: row);
            if (hasNumTokens && r.NumTokens != tokens.Length)
                throw new TokenShardException(shard, $"{document.Location}: num_tokens is {r.NumTokens} but the tokens list holds {tokens.Length}", documentId: document.Id, row: row);
            documents.Add(document);
        }
        return documents;
    }

    /// <summary>The token ids of every row of a shard that <see cref="ReadIndexAsync"/> already checked.</summary>
    public static async Task<int[][]> ReadTokensAsync(string shard, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(shard);
            var rows = (await ParquetSerializer.DeserializeAsync<TokensOnlyRow>(stream, cancellationToken: cancellationToken)).Data;
            return rows.Select(r => r.Tokens ?? []).ToArray();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new TokenShardException(shard, $"{shard}: the shard cannot be read any more ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>Only the <c>tokens</c> column: the other columns are already in the index.</summary>
    private sealed class TokensOnlyRow
    {
        [System.Text.Json.Serialization.JsonPropertyName("tokens")] public int[] Tokens { get; set; } = [];
    }
}
