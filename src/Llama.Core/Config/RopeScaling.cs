using System.Text.Json.Serialization;

namespace Llama.Core.Config;

/// <summary>
/// The <c>rope_scaling</c> block of a Hugging Face config. Llama 3.1 uses <c>rope_type: llama3</c>
/// (factor 8, low 1, high 4, original context 8192); Llama 3.2 1B/3B use factor 32. <c>linear</c> divides
/// every frequency by <see cref="Factor"/>; <c>default</c> (or no block at all, as in Llama 2) leaves them.
/// </summary>
public sealed record RopeScaling
{
    [JsonPropertyName("rope_type")] public string RopeType { get; init; } = "llama3";
    [JsonPropertyName("factor")] public double Factor { get; init; } = 8.0;
    [JsonPropertyName("low_freq_factor")] public double? LowFreqFactor { get; init; }
    [JsonPropertyName("high_freq_factor")] public double? HighFreqFactor { get; init; }
    [JsonPropertyName("original_max_position_embeddings")] public int? OriginalMaxPositionEmbeddings { get; init; }

    /// <summary>Fields this type does not model (e.g. a duplicate <c>rope_theta</c> newer transformers write), kept for round trips.</summary>
    [JsonExtensionData] public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; init; }

    /// <summary>Older configs spell the type <c>type</c> instead of <c>rope_type</c>.</summary>
    [JsonPropertyName("type")] public string? LegacyType { get => null; init { if (value is not null) RopeType = value; } }

    public static RopeScaling Llama31 { get; } = new()
    {
        RopeType = "llama3", Factor = 8, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 8192,
    };

    public static RopeScaling Llama32 { get; } = Llama31 with { Factor = 32 };
}
