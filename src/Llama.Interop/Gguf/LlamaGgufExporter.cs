using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Interop.Gguf;

/// <summary>What an export wrote.</summary>
public sealed record GgufExportSummary(string Path, int TensorCount, long Bytes, GgufExportDtype Dtype, int VocabSize);

/// <summary>
/// Writes a Hugging Face Llama directory (config, safetensors, tokenizer) as a GGUF v3 file that llama.cpp loads as
/// LLM_ARCH_LLAMA: the architecture metadata, the tokenizer as a byte-level BPE vocabulary with merges and the
/// Llama 3 pre-tokenizer, and the tensors under llama.cpp's names. llama.cpp rotates q/k in the interleaved
/// (GPT-J) pairing, HF checkpoints in rotate-half, so q and k rows are permuted back per head
/// (convert_hf_to_gguf.py <c>LlamaModel.permute</c>). RoPE scaling (llama3 or linear) travels as the
/// <c>rope_freqs</c> tensor: per-frequency divisors llama.cpp applies to <c>base^(-2i/d)</c>.
/// </summary>
public static class LlamaGgufExporter
{
    public static GgufExportSummary Export(string modelDirectory, string outputPath, GgufExportDtype dtype, IProgress<GgufWriteProgress>? progress = null)
    {
        if (!Directory.Exists(modelDirectory)) throw new DirectoryNotFoundException($"{modelDirectory}: model directory not found");
        var config = LlamaConfig.Load(modelDirectory);
        // The tokenizer goes into the file; checking for it first avoids loading gigabytes of weights for nothing.
        var tokenizer = LoadTokenizer(modelDirectory);
        if (config.AttentionBias || config.MlpBias)
            throw new GgufExportException($"{modelDirectory}/config.json: attention_bias/mlp_bias are set; this exporter writes bias-free Llama models only");
        var vocabulary = GgufVocabulary.From(tokenizer, config.VocabSize);

        var writer = new GgufWriter();
        AddMetadata(writer, config, tokenizer, vocabulary, dtype, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDirectory))));
        using var model = LlamaDirectory.Load(modelDirectory);
        int count = AddTensors(writer, model, dtype);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        writer.Write(outputPath, progress);
        return new GgufExportSummary(outputPath, count, new FileInfo(outputPath).Length, dtype, config.VocabSize);
    }

    private static Llama3Tokenizer LoadTokenizer(string modelDirectory)
    {
        try
        {
            return Llama3Tokenizer.FromDirectory(modelDirectory);
        }
        catch (FileNotFoundException e)
        {
            throw new GgufExportException($"{modelDirectory}: no tokenizer (tokenizer.model or tokenizer.json); a GGUF file carries its tokenizer, so export needs one", e);
        }
    }

    private static void AddMetadata(GgufWriter w, LlamaConfig c, Llama3Tokenizer tokenizer, GgufVocabulary vocabulary, GgufExportDtype dtype, string name)
    {
        // Keys: gguf-py constants.py (Keys.General, Keys.LLM, Keys.Attention, Keys.Rope, Keys.Tokenizer).
        const string arch = "llama";
        w.Add("general.architecture", GgufValue.Of(arch));
        w.Add("general.name", GgufValue.Of(name));
        w.Add("general.file_type", GgufValue.Of(dtype.FileType()));
        w.Add($"{arch}.vocab_size", GgufValue.Of((uint)c.VocabSize));
        w.Add($"{arch}.context_length", GgufValue.Of((uint)c.MaxPositionEmbeddings));
        w.Add($"{arch}.embedding_length", GgufValue.Of((uint)c.HiddenSize));
        w.Add($"{arch}.block_count", GgufValue.Of((uint)c.NumHiddenLayers));
        w.Add($"{arch}.feed_forward_length", GgufValue.Of((uint)c.IntermediateSize));
        w.Add($"{arch}.attention.head_count", GgufValue.Of((uint)c.NumAttentionHeads));
        w.Add($"{arch}.attention.head_count_kv", GgufValue.Of((uint)c.EffectiveKeyValueHeads));
        w.Add($"{arch}.attention.key_length", GgufValue.Of((uint)c.EffectiveHeadDim));
        w.Add($"{arch}.attention.value_length", GgufValue.Of((uint)c.EffectiveHeadDim));
        w.Add($"{arch}.attention.layer_norm_rms_epsilon", GgufValue.Of((float)c.RmsNormEps));
        w.Add($"{arch}.rope.dimension_count", GgufValue.Of((uint)c.EffectiveHeadDim));
        w.Add($"{arch}.rope.freq_base", GgufValue.Of((float)c.RopeTheta));

        w.Add("tokenizer.ggml.model", GgufValue.Of("gpt2"));
        // llama-vocab.cpp: "llama-bpe" selects LLAMA_VOCAB_PRE_TYPE_LLAMA3, the Llama 3 split regex.
        if (tokenizer.Pattern != Llama3SplitPattern.Value)
            throw new GgufExportException("the tokenizer splits text with a custom regex; llama.cpp's pre-tokenizers know Llama 3's, so only that one can be exported");
        w.Add("tokenizer.ggml.pre", GgufValue.Of("llama-bpe"));
        w.Add("tokenizer.ggml.tokens", GgufValue.Strings(vocabulary.Tokens));
        w.Add("tokenizer.ggml.token_type", GgufValue.Int32s(vocabulary.TokenTypes));
        w.Add("tokenizer.ggml.merges", GgufValue.Strings(vocabulary.Merges));
        w.Add("tokenizer.ggml.bos_token_id", GgufValue.Of((uint)tokenizer.BosId));
        w.Add("tokenizer.ggml.eos_token_id", GgufValue.Of((uint)tokenizer.EosId));
        w.Add("tokenizer.ggml.eot_token_id", GgufValue.Of((uint)tokenizer.EotId));
        w.Add("tokenizer.ggml.eom_token_id", GgufValue.Of((uint)tokenizer.EomId));
        // As transformers' Llama 3 post-processor: <|begin_of_text|> first, no EOS appended.
        w.Add("tokenizer.ggml.add_bos_token", GgufValue.Of(true));
        w.Add("tokenizer.ggml.add_eos_token", GgufValue.Of(false));
    }

    private static int AddTensors(GgufWriter w, LlamaModel model, GgufExportDtype dtype)
    {
        var c = model.Config;
        int count = 0;
        if (RopeFrequencyDivisors(c) is { } divisors)
        {
            w.AddTensor(LlamaGgufNames.RopeFrequencies, [divisors.Length], GgmlType.F32, () => GgmlEncoding.EncodeF32(divisors));
            count++;
        }
        foreach (var (hfName, parameter) in model.named_parameters())
        {
            string name = LlamaGgufNames.ToGguf(hfName);
            int? heads = hfName.EndsWith("self_attn.q_proj.weight", StringComparison.Ordinal) ? c.NumAttentionHeads
                : hfName.EndsWith("self_attn.k_proj.weight", StringComparison.Ordinal) ? c.EffectiveKeyValueHeads
                : null;
            long[] dims = parameter.shape.Reverse().ToArray(); // ggml lists the contiguous dimension first
            var type = dtype.TensorType(dims);
            var source = parameter;
            w.AddTensor(name, dims, type, () => Encode(Values(source, heads), type));
            count++;
        }
        return count;
    }

    /// <summary>The parameter's values in row-major order, q/k rows moved from rotate-half to interleaved pairs.</summary>
    private static float[] Values(Tensor parameter, int? heads)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = parameter.detach().to(ScalarType.Float32).cpu();
        if (heads is int h) w = RotateHalfToInterleaved(w, h);
        return w.contiguous().data<float>().ToArray();
    }

    /// <summary>
    /// Within each head, HF pairs channel j with j + d/2; llama.cpp pairs 2j with 2j+1. Row (head, half, j) moves to
    /// (head, j, half): the inverse of the permutation transformers' convert_llama_weights_to_hf applies to Meta's weights.
    /// </summary>
    internal static Tensor RotateHalfToInterleaved(Tensor weight, int heads)
    {
        long rows = weight.shape[0], columns = weight.shape[1];
        return weight.reshape(heads, 2, rows / heads / 2, columns).transpose(1, 2).reshape(rows, columns);
    }

    /// <summary>
    /// <c>rope_freqs</c>: unscaled over scaled inverse frequency per pair, i.e. what llama.cpp divides
    /// <c>base^(-2i/d)</c> by; null when the config has no scaling. Taken from our RoPE's frequencies (tested against
    /// transformers'), so there is one implementation of the llama3 rule, not two.
    /// </summary>
    internal static float[]? RopeFrequencyDivisors(LlamaConfig config)
    {
        if (config.RopeScaling is null or { RopeType: "default" }) return null;
        var scaled = RotaryEmbedding.InverseFrequencies(config);
        var plain = RotaryEmbedding.InverseFrequencies(config with { RopeScaling = null });
        return plain.Select((f, i) => f / scaled[i]).ToArray();
    }

    private static byte[] Encode(float[] values, GgmlType type) => type switch
    {
        GgmlType.F32 => GgmlEncoding.EncodeF32(values),
        GgmlType.F16 => GgmlEncoding.EncodeF16(values),
        _ => GgmlEncoding.EncodeQ8_0(values),
    };
}
