using System.Text.Json.Serialization;
using Llama.Pretraining.Data;
using Parquet.Serialization;

namespace Llama.Pretraining.Tests.Data;

/// <summary>
/// A curated output folder under the temp path (<c>tokens/part-*.parquet</c>) that tests write shards into with
/// their own row class, as the curation stage would; deleted on dispose.
/// </summary>
internal sealed class TokenShardFolder : IDisposable
{
    public const int Bos = 0;
    public const int Eos = 1;

    public string Root { get; } = Directory.CreateTempSubdirectory("llama-pt-data-").FullName;

    public string TokensDirectory => Path.Combine(Root, "tokens");

    public string ShardPath(int index) => Path.Combine(TokensDirectory, $"part-{index:00000}.parquet");

    /// <summary>Writes shard <paramref name="index"/> with <paramref name="documents"/> as its rows.</summary>
    public string WriteShard(int index, params ShardDocument[] documents)
    {
        Directory.CreateDirectory(TokensDirectory);
        var rows = documents.Select(d => new Row
        {
            Id = d.Id, Source = "test", Domain = d.Domain, Lang = "en", NumTokens = d.Tokens.Length, Tokens = d.Tokens,
        }).ToArray();
        var path = ShardPath(index);
        using (var stream = File.Create(path))
            ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return path;
    }

    public TokenShardSet Open() => TokenShardSet.Open(Root);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>A document with body tokens <paramref name="body"/> wrapped in <see cref="Bos"/> / <see cref="Eos"/>.</summary>
    public static ShardDocument Document(string id, string domain, params int[] body) => new(id, domain, [Bos, .. body, Eos]);

    /// <summary>A document of <paramref name="bodyLength"/> body tokens counting up from <paramref name="first"/>.</summary>
    public static ShardDocument Counting(string id, string domain, int first, int bodyLength) =>
        Document(id, domain, Enumerable.Range(first, bodyLength).ToArray());

    private sealed class Row
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("source")] public string Source { get; set; } = "";
        [JsonPropertyName("domain")] public string Domain { get; set; } = "";
        [JsonPropertyName("lang")] public string Lang { get; set; } = "";
        [JsonPropertyName("num_tokens")] public int NumTokens { get; set; }
        [JsonPropertyName("tokens")] public int[] Tokens { get; set; } = [];
    }
}

/// <summary>One row a test writes: id, domain and the full token list.</summary>
internal sealed record ShardDocument(string Id, string Domain, int[] Tokens);
