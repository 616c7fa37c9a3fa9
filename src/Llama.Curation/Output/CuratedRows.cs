using System.Text.Json.Serialization;

namespace Llama.Curation.Output;

/// <summary>
/// One tokenized document in <c>tokens/part-*.parquet</c>, the format the trainer streams: a row per document
/// (rows are the document boundaries), its ids starting with <c>&lt;|begin_of_text|&gt;</c> and ending with
/// <c>&lt;|end_of_text|&gt;</c>, and the domain and source the mixer and the data loader sample by.
/// </summary>
public sealed class TokenizedDocumentRow
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("lang")] public string Language { get; set; } = "";
    [JsonPropertyName("num_tokens")] public int NumTokens { get; set; }
    [JsonPropertyName("tokens")] public int[] Tokens { get; set; } = [];
}

/// <summary>One kept document in <c>documents/part-*.parquet</c> (what <c>llama data export</c> reads).</summary>
public sealed class CuratedDocumentRow
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("text")] public string Text { get; set; } = "";
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("url")] public string? Url { get; set; }
    [JsonPropertyName("lang")] public string Language { get; set; } = "";
    [JsonPropertyName("lang_score")] public double? LanguageScore { get; set; }
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("quality")] public double? QualityScore { get; set; }
}
