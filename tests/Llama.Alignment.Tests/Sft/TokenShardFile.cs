using System.Text.Json.Serialization;
using Parquet.Serialization;

namespace Llama.Alignment.Tests.Sft;

/// <summary>Writes a token shard as the curation stage does (only the <c>tokens</c> column SFT reads).</summary>
internal static class TokenShardFile
{
    public static void Write(string path, IEnumerable<int[]> documents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        ParquetSerializer.SerializeAsync(documents.Select(d => new Row { Tokens = d }).ToList(), stream).GetAwaiter().GetResult();
    }

    private sealed class Row
    {
        [JsonPropertyName("tokens")] public int[] Tokens { get; set; } = [];
    }
}
