using System.Text.Json;
using System.Text.Json.Serialization;
using Llama.Core.Config;

namespace Llama.Core.Quantization;

/// <summary>
/// The <c>quantization_config</c> of a Hugging Face FP8 checkpoint as Meta released Llama 3.1 in FP8 and
/// transformers' fbgemm_fp8 integration reads it: every linear layer is FP8 (weight e4m3fn + per-row
/// <c>weight_scale</c>) except the modules named in <c>modules_to_not_convert</c>.
/// </summary>
public sealed record FbgemmFp8Config
{
    /// <summary>The <c>quant_method</c> value.</summary>
    public const string Method = "fbgemm_fp8";

    /// <summary>The key in <c>config.json</c>.</summary>
    public const string ConfigKey = "quantization_config";

    /// <summary>The paper's bound on per-token activation amax (Meta's <c>fp8_activation_scale_ub</c>).</summary>
    public const float DefaultActivationScaleUpperBound = 1200f;

    [JsonPropertyName("quant_method")] public string QuantMethod { get; init; } = Method;
    [JsonPropertyName("activation_scale_ub")] public float ActivationScaleUpperBound { get; init; } = DefaultActivationScaleUpperBound;
    [JsonPropertyName("modules_to_not_convert")] public IReadOnlyList<string> ModulesToNotConvert { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>
    /// True when <paramref name="moduleName"/> is excluded, by transformers' rule: an entry equal to the name, or an
    /// entry followed by '.' inside it (so <c>model.layers.0</c> excludes every module of layer 0, not of layer 10).
    /// </summary>
    public bool Excludes(string moduleName) => ModulesToNotConvert.Any(entry => Matches(entry, moduleName));

    /// <summary>True when the <c>modules_to_not_convert</c> entry <paramref name="entry"/> covers <paramref name="moduleName"/>.</summary>
    public static bool Matches(string entry, string moduleName) =>
        moduleName == entry || moduleName.Contains(entry + ".", StringComparison.Ordinal);

    /// <summary>The FP8 quantization config of <paramref name="config"/>, or null for an unquantized model.</summary>
    /// <exception cref="LlamaConfigException">Another quantization method, or a malformed or out-of-range field.</exception>
    public static FbgemmFp8Config? Read(LlamaConfig config, string source = "config.json")
    {
        if (config.Extra is null || !config.Extra.TryGetValue(ConfigKey, out var element)) return null;
        FbgemmFp8Config? parsed;
        try { parsed = element.Deserialize<FbgemmFp8Config>(Json); }
        catch (JsonException e) { throw new LlamaConfigException($"{source}: {ConfigKey} is malformed: {e.Message}", e); }
        if (parsed is null) throw new LlamaConfigException($"{source}: {ConfigKey} is null");
        if (parsed.QuantMethod != Method)
            throw new LlamaConfigException($"{source}: {ConfigKey}.quant_method '{parsed.QuantMethod}' is not supported (supported: {Method})");
        if (!(parsed.ActivationScaleUpperBound > 0) || !float.IsFinite(parsed.ActivationScaleUpperBound))
            throw new LlamaConfigException($"{source}: {ConfigKey}.activation_scale_ub ({parsed.ActivationScaleUpperBound}) must be a positive number");
        if (parsed.ModulesToNotConvert.Any(string.IsNullOrWhiteSpace))
            throw new LlamaConfigException($"{source}: {ConfigKey}.modules_to_not_convert holds an empty name");
        return parsed;
    }

    /// <summary><paramref name="config"/> with this quantization config (null: without any).</summary>
    public static LlamaConfig Apply(LlamaConfig config, FbgemmFp8Config? quantization)
    {
        var extra = config.Extra is null ? new Dictionary<string, JsonElement>() : new Dictionary<string, JsonElement>(config.Extra);
        extra.Remove(ConfigKey);
        if (quantization is not null) extra[ConfigKey] = JsonSerializer.SerializeToElement(quantization, Json);
        return config with { Extra = extra.Count == 0 ? null : extra };
    }
}
