using System.Text.Json.Serialization;

namespace Llama.Pretraining.Data;

/// <summary>
/// One row of <c>tokens/part-*.parquet</c> as the curation stage writes it: one document, its ids starting with
/// <c>&lt;|begin_of_text|&gt;</c> and ending with <c>&lt;|end_of_text|&gt;</c>. Declared here rather than taken from
/// Llama.Curation because stages meet through the file format, not through each other's types.
/// </summary>
internal sealed class TokenShardRow
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("lang")] public string Language { get; set; } = "";
    [JsonPropertyName("num_tokens")] public int NumTokens { get; set; }
    [JsonPropertyName("tokens")] public int[] Tokens { get; set; } = [];
}
