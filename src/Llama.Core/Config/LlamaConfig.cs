using System.Text.Json;
using System.Text.Json.Serialization;

namespace Llama.Core.Config;

/// <summary>
/// The shape of a Llama model, read from and written to a Hugging Face <c>config.json</c> with the field
/// names transformers uses, so checkpoints move between this project and other tools unchanged.
/// Optional fields are null when the file omits them; the <c>Effective*</c> members apply transformers'
/// defaults. Fields this type does not model are kept in <see cref="Extra"/> and written back.
/// </summary>
public sealed record LlamaConfig
{
    [JsonPropertyName("architectures")] public IReadOnlyList<string>? Architectures { get; init; } = ["LlamaForCausalLM"];
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "llama";
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; }
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; }
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; }
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; }
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; }
    [JsonPropertyName("num_key_value_heads")] public int? NumKeyValueHeads { get; init; }
    [JsonPropertyName("head_dim")] public int? HeadDim { get; init; }
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "silu";
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 2048;
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-5;
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000.0;
    [JsonPropertyName("rope_scaling")] public RopeScaling? RopeScaling { get; init; }
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; }
    [JsonPropertyName("attention_dropout")] public double? AttentionDropout { get; init; }
    [JsonPropertyName("mlp_bias")] public bool MlpBias { get; init; }
    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; init; }
    [JsonPropertyName("eos_token_id"), JsonConverter(typeof(TokenIdListConverter))]
    public IReadOnlyList<int>? EosTokenId { get; init; }
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; init; }
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; init; } = "float32";
    /// <summary>transformers 5 writes <c>dtype</c>; read it as <see cref="TorchDtype"/>.</summary>
    [JsonPropertyName("dtype")] public string? Dtype { get => null; init { if (value is not null) TorchDtype = value; } }
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;
    [JsonPropertyName("pretraining_tp")] public int? PretrainingTp { get; init; }
    [JsonPropertyName("use_cache")] public bool? UseCache { get; init; }
    [JsonPropertyName("transformers_version")] public string? TransformersVersion { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Key/value heads: equal to the query heads when the file omits them (multi-head attention).</summary>
    [JsonIgnore] public int EffectiveKeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    /// <summary>Per-head width: <c>hidden_size / num_attention_heads</c> unless <c>head_dim</c> says otherwise.</summary>
    [JsonIgnore] public int EffectiveHeadDim => HeadDim ?? (NumAttentionHeads > 0 ? HiddenSize / NumAttentionHeads : 0);

    [JsonIgnore] public IReadOnlyList<int> EosTokenIds => EosTokenId ?? [];

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>Reads <c>config.json</c> (or the one inside a directory) and validates it.</summary>
    public static LlamaConfig Load(string path)
    {
        if (Directory.Exists(path) || !path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) path = Path.Combine(path, "config.json");
        if (!File.Exists(path)) throw new LlamaConfigException($"{path}: file not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config JSON; <paramref name="source"/> names it in error messages.</summary>
    public static LlamaConfig Parse(string json, string source = "config.json")
    {
        LlamaConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<LlamaConfig>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            string field = string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path.TrimStart('$', '.')}";
            throw new LlamaConfigException($"{source}: invalid JSON{field}: {e.Message}", e);
        }
        if (config is null) throw new LlamaConfigException($"{source}: empty config");
        config.Validate(source);
        return config;
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Writes <c>config.json</c> into <paramref name="directory"/> (atomically: temp file, then rename).</summary>
    public void Save(string directory)
    {
        Validate("config");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "config.json");
        string temp = path + ".tmp";
        File.WriteAllText(temp, ToJson());
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Throws <see cref="LlamaConfigException"/> naming the first field that cannot work.</summary>
    public void Validate(string source = "config.json")
    {
        void Fail(string field, string why) => throw new LlamaConfigException($"{source}: {field} {why}");
        if (ModelType is not ("llama")) Fail("model_type", $"is '{ModelType}'; only 'llama' is supported");
        if (VocabSize <= 0) Fail("vocab_size", $"({VocabSize}) must be positive");
        if (HiddenSize <= 0) Fail("hidden_size", $"({HiddenSize}) must be positive");
        if (IntermediateSize <= 0) Fail("intermediate_size", $"({IntermediateSize}) must be positive");
        if (NumHiddenLayers <= 0) Fail("num_hidden_layers", $"({NumHiddenLayers}) must be positive");
        if (NumAttentionHeads <= 0) Fail("num_attention_heads", $"({NumAttentionHeads}) must be positive");
        if (EffectiveKeyValueHeads <= 0) Fail("num_key_value_heads", $"({EffectiveKeyValueHeads}) must be positive");
        if (NumAttentionHeads % EffectiveKeyValueHeads != 0)
            Fail("num_key_value_heads", $"({EffectiveKeyValueHeads}) must divide num_attention_heads ({NumAttentionHeads})");
        if (HeadDim is null && HiddenSize % NumAttentionHeads != 0)
            Fail("hidden_size", $"({HiddenSize}) must be a multiple of num_attention_heads ({NumAttentionHeads}) when head_dim is absent");
        if (EffectiveHeadDim <= 0 || EffectiveHeadDim % 2 != 0)
            Fail("head_dim", $"({EffectiveHeadDim}) must be positive and even (RoPE rotates pairs)");
        if (HiddenAct != "silu") Fail("hidden_act", $"is '{HiddenAct}'; Llama uses 'silu' (SwiGLU)");
        if (MaxPositionEmbeddings <= 0) Fail("max_position_embeddings", $"({MaxPositionEmbeddings}) must be positive");
        if (!(RmsNormEps > 0)) Fail("rms_norm_eps", $"({RmsNormEps}) must be positive");
        if (!(RopeTheta > 0)) Fail("rope_theta", $"({RopeTheta}) must be positive");
        if (PretrainingTp is > 1) Fail("pretraining_tp", $"({PretrainingTp}) > 1 is not supported (it only changes float rounding in transformers)");
        ValidateRopeScaling(Fail);
        foreach (var (name, id) in TokenIds())
            if (id < 0 || id >= VocabSize) Fail(name, $"({id}) must be in [0, vocab_size={VocabSize})");
    }

    private void ValidateRopeScaling(Action<string, string> fail)
    {
        if (RopeScaling is not { } s) return;
        switch (s.RopeType)
        {
            case "default":
                return;
            case "linear":
                if (!(s.Factor > 0)) fail("rope_scaling.factor", $"({s.Factor}) must be positive");
                return;
            case "llama3":
                if (!(s.Factor > 0)) fail("rope_scaling.factor", $"({s.Factor}) must be positive");
                if (s.LowFreqFactor is not > 0) fail("rope_scaling.low_freq_factor", "is required and must be positive for rope_type llama3");
                if (s.HighFreqFactor is not { } high || high <= s.LowFreqFactor)
                    fail("rope_scaling.high_freq_factor", "is required and must exceed low_freq_factor for rope_type llama3");
                if (s.OriginalMaxPositionEmbeddings is not > 0)
                    fail("rope_scaling.original_max_position_embeddings", "is required and must be positive for rope_type llama3");
                return;
            default:
                fail("rope_scaling.rope_type", $"'{s.RopeType}' is not supported (supported: default, linear, llama3)");
                return;
        }
    }

    private IEnumerable<(string Name, int Id)> TokenIds()
    {
        if (BosTokenId is { } bos) yield return ("bos_token_id", bos);
        foreach (var eos in EosTokenIds) yield return ("eos_token_id", eos);
        if (PadTokenId is { } pad) yield return ("pad_token_id", pad);
    }
}
