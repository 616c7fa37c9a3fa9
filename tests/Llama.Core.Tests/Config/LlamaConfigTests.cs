using Llama.Core.Config;

namespace Llama.Core.Tests.Config;

public class LlamaConfigTests
{
    // Meta's released config.json for Llama 3.1 8B Instruct (as published on the Hugging Face hub).
    private const string Llama31_8BInstruct = """
        {
          "architectures": ["LlamaForCausalLM"],
          "attention_bias": false,
          "attention_dropout": 0.0,
          "bos_token_id": 128000,
          "eos_token_id": [128001, 128008, 128009],
          "hidden_act": "silu",
          "hidden_size": 4096,
          "initializer_range": 0.02,
          "intermediate_size": 14336,
          "max_position_embeddings": 131072,
          "mlp_bias": false,
          "model_type": "llama",
          "num_attention_heads": 32,
          "num_hidden_layers": 32,
          "num_key_value_heads": 8,
          "pretraining_tp": 1,
          "rms_norm_eps": 1e-05,
          "rope_scaling": {
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8192,
            "rope_type": "llama3"
          },
          "rope_theta": 500000.0,
          "tie_word_embeddings": false,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.43.0.dev0",
          "use_cache": true,
          "vocab_size": 128256
        }
        """;

    // Llama 3.2 1B: tied embeddings, factor 32, head_dim given explicitly.
    private const string Llama32_1B = """
        {
          "architectures": ["LlamaForCausalLM"], "bos_token_id": 128000, "eos_token_id": 128001,
          "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048, "intermediate_size": 8192,
          "max_position_embeddings": 131072, "model_type": "llama", "num_attention_heads": 32,
          "num_hidden_layers": 16, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
          "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                           "original_max_position_embeddings": 8192, "rope_type": "llama3"},
          "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "vocab_size": 128256
        }
        """;

    // Llama 2 7B: no rope_scaling, no num_key_value_heads in early files, theta 10000.
    private const string Llama2_7B = """
        {
          "architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
          "hidden_size": 4096, "intermediate_size": 11008, "max_position_embeddings": 4096, "model_type": "llama",
          "num_attention_heads": 32, "num_hidden_layers": 32, "rms_norm_eps": 1e-05, "tie_word_embeddings": false,
          "torch_dtype": "float16", "vocab_size": 32000
        }
        """;

    [Fact]
    public void Reads_the_llama_3_1_8b_instruct_config_with_an_eos_list()
    {
        var config = LlamaConfig.Parse(Llama31_8BInstruct);
        Assert.Equal(new[] { 128001, 128008, 128009 }, config.EosTokenIds);
        Assert.Equal("llama3", config.RopeScaling!.RopeType);
        Assert.Equal(8192, config.RopeScaling.OriginalMaxPositionEmbeddings);
        Assert.Equal(128, config.EffectiveHeadDim);
        Assert.Equal(8, config.EffectiveKeyValueHeads);
        Assert.Equal(8_030_261_248, ModelSize.Of(config).Total);
    }

    [Fact]
    public void Reads_llama_3_2_tied_and_llama_2_configs()
    {
        var small = LlamaConfig.Parse(Llama32_1B);
        Assert.True(small.TieWordEmbeddings);
        Assert.Equal(32, small.RopeScaling!.Factor);
        Assert.Equal(new[] { 128001 }, small.EosTokenIds);
        Assert.Equal(0, ModelSize.Of(small).OutputHead);

        var llama2 = LlamaConfig.Parse(Llama2_7B);
        Assert.Null(llama2.RopeScaling);
        Assert.Equal(10000.0, llama2.RopeTheta);
        Assert.Equal(32, llama2.EffectiveKeyValueHeads); // multi-head attention when the field is absent
        Assert.Equal(128, llama2.EffectiveHeadDim);
    }

    [Fact]
    public void Round_trips_every_field_including_unknown_ones()
    {
        string json = Llama31_8BInstruct.Replace("\"use_cache\": true,", "\"use_cache\": true, \"custom_field\": {\"a\": [1, 2]},");
        var config = LlamaConfig.Parse(json);
        var again = LlamaConfig.Parse(config.ToJson());
        Assert.Equal(config.ToJson(), again.ToJson());
        Assert.Contains("\"custom_field\"", again.ToJson());
        Assert.Contains("\"eos_token_id\": [", again.ToJson());
        Assert.Equal(config.RopeScaling!.Factor, again.RopeScaling!.Factor);
        Assert.Equal(config.RopeScaling.OriginalMaxPositionEmbeddings, again.RopeScaling.OriginalMaxPositionEmbeddings);
    }

    [Fact]
    public void Reads_the_fixture_config_written_by_transformers()
    {
        var config = LlamaConfig.Load(Fixtures.HfTiny);
        Assert.Equal(512, config.VocabSize);
        Assert.Equal(2, config.EffectiveKeyValueHeads);
        Assert.Equal(16, config.EffectiveHeadDim);
        Assert.Equal(new[] { 2 }, config.EosTokenIds);
    }

    [Theory]
    [InlineData("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 3", "config.json: num_key_value_heads (3) must divide num_attention_heads (32)")]
    [InlineData("\"vocab_size\": 128256", "\"vocab_size\": 0", "vocab_size (0) must be positive")]
    [InlineData("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\"", "hidden_act is 'gelu'")]
    [InlineData("\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\"", "rope_scaling.rope_type 'yarn' is not supported")]
    [InlineData("\"low_freq_factor\": 1.0,", "", "rope_scaling.low_freq_factor is required")]
    [InlineData("\"bos_token_id\": 128000", "\"bos_token_id\": 200000", "bos_token_id (200000) must be in [0, vocab_size=128256)")]
    [InlineData("\"hidden_size\": 4096", "\"hidden_size\": \"wide\"", "invalid JSON at hidden_size")]
    public void Invalid_fields_are_named_in_the_error(string from, string to, string expectedMessage)
    {
        string json = Llama31_8BInstruct.Replace(from, to);
        Assert.NotEqual(Llama31_8BInstruct, json);
        var error = Assert.Throws<LlamaConfigException>(() => LlamaConfig.Parse(json));
        Assert.Contains(expectedMessage, error.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        var error = Assert.Throws<LlamaConfigException>(() => LlamaConfig.Load("/nonexistent/model"));
        Assert.Contains("/nonexistent/model/config.json", error.Message);
    }

    [Theory]
    [InlineData("llama3.1-8b", 8.03e9)]
    [InlineData("llama3.1-70b", 70.6e9)]
    [InlineData("llama3.1-405b", 405.9e9)]
    public void Paper_presets_have_the_published_parameter_counts(string preset, double published)
    {
        long total = ModelSize.Of(LlamaPresets.Get(preset)).Total;
        Assert.InRange(total / published, 0.995, 1.005);
    }

    [Fact]
    public void Presets_are_valid_and_unknown_ones_list_the_known()
    {
        foreach (var name in LlamaPresets.Names) LlamaPresets.Get(name).Validate(name);
        var error = Assert.Throws<LlamaConfigException>(() => LlamaPresets.Get("huge"));
        Assert.Contains("llama3.1-8b", error.Message);
    }

    [Fact]
    public void Forward_flops_per_token_is_about_twice_the_parameters_at_short_context()
    {
        var config = LlamaPresets.Get("llama3.1-8b");
        double flops = ModelSize.ForwardFlopsPerToken(config, contextLength: 1);
        // 2 x (all parameters but the embedding lookup): 2 x (8.03B - 0.525B)
        Assert.InRange(flops / (2 * (8.03e9 - 128256L * 4096)), 0.99, 1.01);
    }
}
