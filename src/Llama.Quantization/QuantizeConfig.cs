using System.Text.Json;
using System.Text.Json.Serialization;
using Llama.Core.Quantization;

namespace Llama.Quantization;

/// <summary>
/// How to quantize, and when the result is good enough to promote. The defaults are Llama 3's FP8 recipe (the paper,
/// section 6.2): row-wise E4M3 for the feed-forward projections only, attention kept in high precision, the first and
/// last transformer layers skipped, per-token activation scales with their amax bounded by 1200.
/// </summary>
public sealed record QuantizeConfig
{
    /// <summary>Bound on a token's activation amax before its scale is taken (<c>activation_scale_ub</c>).</summary>
    public float ActivationScaleUpperBound { get; init; } = FbgemmFp8Config.DefaultActivationScaleUpperBound;

    /// <summary>How many decoder layers at the start stay in high precision.</summary>
    public int SkipFirstLayers { get; init; } = 1;

    /// <summary>How many decoder layers at the end stay in high precision.</summary>
    public int SkipLastLayers { get; init; } = 1;

    /// <summary>Which feed-forward projections of the other layers become FP8.</summary>
    public IReadOnlyList<string> Projections { get; init; } = Fp8ModelLayout.FeedForwardProjections;

    /// <summary>Further modules kept in high precision (transformers' matching rule); each must exist in the model.</summary>
    public IReadOnlyList<string> ModulesToNotConvert { get; init; } = [];

    /// <summary>The check that runs after every quantization and decides promotion.</summary>
    public QualityCheckConfig Quality { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static QuantizeConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found");
        try
        {
            var config = JsonSerializer.Deserialize<QuantizeConfig>(File.ReadAllText(path), Json) ?? throw new ArgumentException($"{path}: empty config");
            config.Validate(path);
            return config;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path}: invalid quantization config{(string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path.TrimStart('$', '.')}")}: {e.Message}", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Checks what can be checked without the model (module names are checked against it when planning).</summary>
    public void Validate(string source = "config")
    {
        if (!(ActivationScaleUpperBound > 0) || !float.IsFinite(ActivationScaleUpperBound))
            throw new ArgumentException($"{source}: activationScaleUpperBound ({ActivationScaleUpperBound}) must be a positive number");
        if (SkipFirstLayers < 0 || SkipLastLayers < 0)
            throw new ArgumentException($"{source}: skipFirstLayers ({SkipFirstLayers}) and skipLastLayers ({SkipLastLayers}) must not be negative");
        if (Projections.Count == 0) throw new ArgumentException($"{source}: projections is empty: nothing would be quantized");
        foreach (var projection in Projections)
            if (!Fp8ModelLayout.FeedForwardProjections.Contains(projection))
                throw new ArgumentException($"{source}: projections: '{projection}' is not a feed-forward projection ({string.Join(", ", Fp8ModelLayout.FeedForwardProjections)}); attention stays in high precision");
        if (ModulesToNotConvert.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"{source}: modulesToNotConvert holds an empty name");
        Quality.Validate(source);
    }
}

/// <summary>
/// The quality check: perplexity and next-token / greedy-continuation agreement of the quantized model against the
/// unquantized one on held-out text, and the budget a quantization must stay within to be promoted.
/// </summary>
public sealed record QualityCheckConfig
{
    /// <summary>The demo's held-out text, relative to the repository root (where the CLI runs).</summary>
    public const string DefaultText = "data/heldout/austen-persuasion.txt";

    /// <summary>Held-out text file, encoded with the model's tokenizer.</summary>
    public string Text { get; init; } = DefaultText;

    /// <summary>At most this many tokens of it are scored.</summary>
    public int MaxTokens { get; init; } = 4096;

    /// <summary>Scored in windows of this many tokens (capped at the model's context).</summary>
    public int Window { get; init; } = 256;

    /// <summary>Greedy continuations compared: one prompt from the start of each of the first windows.</summary>
    public int Prompts { get; init; } = 4;

    public int PromptTokens { get; init; } = 16;

    public int ContinuationTokens { get; init; } = 32;

    /// <summary>Budget: the largest relative perplexity increase that may be promoted (0.02 = 2%).</summary>
    public double MaxPerplexityIncrease { get; init; } = 0.02;

    /// <summary>Budget: the least share of positions whose top-1 next token equals the unquantized model's.</summary>
    public double MinTop1Agreement { get; init; } = 0.90;

    public void Validate(string source = "config")
    {
        if (string.IsNullOrWhiteSpace(Text)) throw new ArgumentException($"{source}: quality.text must name a held-out text file");
        if (MaxTokens < 2 || Window < 2) throw new ArgumentException($"{source}: quality.maxTokens ({MaxTokens}) and quality.window ({Window}) must be at least 2");
        if (Prompts < 0 || PromptTokens < 1 || ContinuationTokens < 1)
            throw new ArgumentException($"{source}: quality.prompts must be >= 0, promptTokens and continuationTokens >= 1");
        if (!(MaxPerplexityIncrease >= 0)) throw new ArgumentException($"{source}: quality.maxPerplexityIncrease ({MaxPerplexityIncrease}) must be >= 0");
        if (!(MinTop1Agreement is >= 0 and <= 1)) throw new ArgumentException($"{source}: quality.minTop1Agreement ({MinTop1Agreement}) must be in [0, 1]");
    }
}
