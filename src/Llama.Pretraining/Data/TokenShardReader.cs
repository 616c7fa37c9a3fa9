using Parquet;
using Parquet.Serialization;

namespace Llama.Pretraining.Data;

/// <summary>Reads one <c>part-*.parquet</c> token shard into documents, checking its columns first.</summary>
internal static class TokenShardReader
{
    /// <summary>Columns without which a shard cannot be trained on: the split hashes ids, the mix samples domains.</summary>
    private static readonly string[] RequiredColumns = ["id", "domain", "tokens"];

    public static async Task<List<TokenDocument>> ReadAsync(string shard, CancellationToken cancellationToken)
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
            var document = new TokenDocument(r.Id ?? "", r.Domain ?? "", r.Source ?? "", r.Language ?? "", shard, row, r.Tokens ?? []);
            // A document needs two tokens to give the model one prediction (its first token only predicts the second).
            if (document.Tokens.Length < 2)
                throw new TokenShardException(shard, $"{document.Location}: {document.Tokens.Length} token(s); a document holds at least <|begin_of_text|> and <|end_of_text|>", documentId: document.Id, row: row);
            if (hasNumTokens && r.NumTokens != document.Tokens.Length)
                throw new TokenShardException(shard, $"{document.Location}: num_tokens is {r.NumTokens} but the tokens list holds {document.Tokens.Length}", documentId: document.Id, row: row);
            documents.Add(document);
        }
        return documents;
    }
}
