using Llama.Core.Checkpoints;
using Llama.Interop.Gguf;

namespace Llama.Interop.Tests.Gguf;

public sealed class LlamaGgufExporterTests
{
    private static (GgufReader Reader, string Path) ExportHfTiny(GgufExportDtype dtype)
    {
        string dir = TestModels.HfTinyWithByteTokenizer();
        string path = Path.Combine(dir, "model.gguf");
        LlamaGgufExporter.Export(dir, path, dtype);
        return (GgufReader.Open(path), path);
    }

    [Fact]
    public void Export_writes_the_llama_architecture_and_tokenizer_metadata_of_the_config()
    {
        var (reader, _) = ExportHfTiny(GgufExportDtype.F32);
        using var _r = reader;
        Assert.Equal("llama", reader.Get<string>("general.architecture"));
        Assert.Equal(131072u, reader.Get<uint>("llama.context_length"));
        Assert.Equal(64u, reader.Get<uint>("llama.embedding_length"));
        Assert.Equal(192u, reader.Get<uint>("llama.feed_forward_length"));
        Assert.Equal(2u, reader.Get<uint>("llama.block_count"));
        Assert.Equal(4u, reader.Get<uint>("llama.attention.head_count"));
        Assert.Equal(2u, reader.Get<uint>("llama.attention.head_count_kv"));
        Assert.Equal(16u, reader.Get<uint>("llama.rope.dimension_count"));
        Assert.Equal(500000f, reader.Get<float>("llama.rope.freq_base"));
        Assert.Equal(1e-5f, reader.Get<float>("llama.attention.layer_norm_rms_epsilon"));
        Assert.Equal("gpt2", reader.Get<string>("tokenizer.ggml.model"));
        Assert.Equal("llama-bpe", reader.Get<string>("tokenizer.ggml.pre"));
        Assert.Equal(512, reader.Get<GgufArray>("tokenizer.ggml.tokens").Items.Count);
        Assert.Empty(reader.Get<GgufArray>("tokenizer.ggml.merges").Items); // single bytes only: nothing to merge
        Assert.Equal(256u, reader.Get<uint>("tokenizer.ggml.bos_token_id"));
        Assert.Equal(2 + 2 * 9 + 1 + 1, reader.Tensors.Count); // embd, norm, 9 per layer, output, rope_freqs
        Assert.Equal([64L, 512L], reader.Tensor("token_embd.weight").Dimensions);
        Assert.Equal([192L, 64L], reader.Tensor("blk.1.ffn_down.weight").Dimensions);
    }

    [Fact]
    public void Rope_freqs_are_the_divisors_that_turn_plain_frequencies_into_transformers_llama3_ones()
    {
        var (reader, _) = ExportHfTiny(GgufExportDtype.F32);
        using var _r = reader;
        using var reference = SafetensorsReader.Open(Path.Combine(TestModels.HfTiny, "reference.safetensors"));
        float[] hfInvFreq = reference.ReadTensor("rope_inv_freq").data<float>().ToArray();
        float[] divisors = reader.ReadFloats("rope_freqs.weight");
        Assert.Equal(8, divisors.Length);
        for (int i = 0; i < 8; i++)
        {
            double plain = 1.0 / Math.Pow(500000, 2.0 * i / 16); // llama.cpp's theta_base^(-2i/d)
            Assert.Equal(hfInvFreq[i], plain / divisors[i], hfInvFreq[i] * 1e-5);
        }
        Assert.Equal(1f, divisors[0]); // the highest frequency is never rescaled
        Assert.Equal(8f, divisors[7]); // the lowest is divided by the factor
    }

    [Fact]
    public void Q_and_k_rows_move_from_rotate_half_to_interleaved_pairs_per_head()
    {
        var (reader, _) = ExportHfTiny(GgufExportDtype.F32);
        using var _r = reader;
        using var hf = SafetensorsReader.Open(Path.Combine(TestModels.HfTiny, "model.safetensors"));
        foreach (var (proj, heads) in new[] { ("q", 4), ("k", 2) })
        {
            float[] original = hf.ReadTensor($"model.layers.0.self_attn.{proj}_proj.weight").data<float>().ToArray();
            float[] exported = reader.ReadFloats($"blk.0.attn_{proj}.weight");
            const int headDim = 16, columns = 64;
            for (int h = 0; h < heads; h++)
                for (int j = 0; j < headDim / 2; j++)
                    for (int half = 0; half < 2; half++)
                    {
                        int hfRow = h * headDim + half * headDim / 2 + j;  // rotate-half: pairs j and j + d/2
                        int ggufRow = h * headDim + 2 * j + half;          // interleaved: pairs 2j and 2j + 1
                        Assert.Equal(original.AsSpan(hfRow * columns, columns).ToArray(), exported.AsSpan(ggufRow * columns, columns).ToArray());
                    }
        }
        using var hfV = hf.ReadTensor("model.layers.0.self_attn.v_proj.weight");
        Assert.Equal(hfV.data<float>().ToArray(), reader.ReadFloats("blk.0.attn_v.weight")); // v is not rotated
    }

    [Fact]
    public void Q8_0_export_quantizes_matrices_and_keeps_vectors_float32()
    {
        var (reader, _) = ExportHfTiny(GgufExportDtype.Q8_0);
        using var _r = reader;
        Assert.Equal(7u, reader.Get<uint>("general.file_type"));
        Assert.Equal(GgmlType.Q8_0, reader.Tensor("blk.0.ffn_gate.weight").Type);
        Assert.Equal(GgmlType.F32, reader.Tensor("blk.0.attn_norm.weight").Type);
        using var hf = SafetensorsReader.Open(Path.Combine(TestModels.HfTiny, "model.safetensors"));
        float[] original = hf.ReadTensor("model.layers.0.mlp.gate_proj.weight").data<float>().ToArray();
        float[] decoded = reader.ReadFloats("blk.0.ffn_gate.weight");
        float amax = original.Max(Math.Abs);
        Assert.All(original.Zip(decoded), p => Assert.True(Math.Abs(p.First - p.Second) <= amax / 127 * 0.57f));
    }

    [Fact]
    public void Export_of_a_model_without_tokenizer_says_the_tokenizer_is_missing()
    {
        string path = Path.Combine(TestModels.NewTempDirectory(), "x.gguf");
        var e = Assert.Throws<GgufExportException>(() => LlamaGgufExporter.Export(TestModels.HfTiny, path, GgufExportDtype.F32));
        Assert.Contains("no tokenizer", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void An_unknown_dtype_names_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => GgufExportDtypes.Parse("q4_k"));
        Assert.Contains("f32, f16, q8_0", e.Message);
    }
}
