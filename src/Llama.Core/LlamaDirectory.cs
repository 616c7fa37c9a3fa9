using System.Text.Json;
using System.Text.Json.Nodes;
using Llama.Core.Checkpoints;
using Llama.Core.Config;
using Llama.Core.Lora;
using Llama.Core.Model;
using Llama.Core.Quantization;
using Llama.Core.Tokenization;
using static TorchSharp.torch;

namespace Llama.Core;

/// <summary>
/// Our on-disk model format is the Hugging Face layout, so anything a stage writes loads in other tools
/// and real Llama checkpoints load here: <c>config.json</c>, <c>model.safetensors</c> (or shards with
/// <c>model.safetensors.index.json</c>), <c>generation_config.json</c>, and the tokenizer files.
/// </summary>
public static class LlamaDirectory
{
    /// <summary>Tensors some checkpoints carry that are recomputed here rather than loaded.</summary>
    private static bool IsDerived(string name) => name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal);

    /// <summary>Builds the model from <c>config.json</c> and copies every weight in by name, checking shapes.</summary>
    /// <param name="dtype">Weights and compute dtype; file weights are converted (e.g. bf16 files to float32).</param>
    public static LlamaModel Load(string directory, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: model directory not found");
        var config = LlamaConfig.Load(Path.Combine(directory, "config.json"));
        using var reader = HfCheckpointReader.Open(directory);
        var model = new LlamaModel(config, device, dtype);
        try
        {
            // An fbgemm_fp8 checkpoint (Meta's FP8 Llama 3.1 layout) turns the layers it quantizes into FP8 layers first.
            Fp8ModelLayout.PrepareForCheckpoint(model, reader, directory);
            LoadWeights(model, reader, directory);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Copies every parameter of <paramref name="model"/> from <paramref name="reader"/>; rejects missing and unexpected tensors.</summary>
    public static void LoadWeights(LlamaModel model, ICheckpointReader reader, string source)
    {
        using var noGrad = no_grad();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.named_parameters())
        {
            expected.Add(name);
            reader.CopyInto(name, parameter); // throws naming the file and tensor if missing or mis-shaped
        }
        var unexpected = reader.Names.Where(n => !expected.Contains(n) && !IsDerived(n)).ToList();
        if (unexpected.Count > 0)
            throw new CheckpointIndexException(source, unexpected[0],
                $"the checkpoint has {unexpected.Count} tensor(s) this config does not use (first: '{unexpected[0]}'); " +
                "check num_hidden_layers, tie_word_embeddings and the bias flags in config.json");
    }

    /// <summary>
    /// Writes the model (config, weights in shards of at most <paramref name="maxShardBytes"/>, generation config)
    /// and, when given, the tokenizer, into <paramref name="directory"/>.
    /// </summary>
    public static void Save(LlamaModel model, string directory, Llama3Tokenizer? tokenizer = null, long maxShardBytes = HfCheckpointWriter.DefaultMaxShardBytes)
    {
        // Adapter tensors would make a checkpoint no other stage loads; merged, the model is a normal one.
        if (LoraAdapters.Adapted(model).Count > 0)
            throw new InvalidOperationException($"{directory}: the model carries LoRA adapters; merge them into the weights first (LoraAdapters.Merge), or save them alone (LoraAdapters.Save)");
        Directory.CreateDirectory(directory);
        string dtypeName = model.DType switch
        {
            ScalarType.BFloat16 => "bfloat16",
            ScalarType.Float16 => "float16",
            _ => "float32",
        };
        // A model with FP8 layers is saved as an fbgemm_fp8 checkpoint: its quantization_config says which layers are FP8.
        var config = Fp8ModelLayout.DescribeIn(model, model.Config with { TorchDtype = dtypeName });
        var weights = model.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter));
        HfCheckpointWriter.Write(directory, weights, maxShardBytes);
        config.Save(directory);
        WriteGenerationConfig(config, directory);
        tokenizer?.Save(directory);
    }

    /// <summary>transformers reads sampling defaults from generation_config.json; Llama 3.1 ships temperature 0.6, top_p 0.9.</summary>
    private static void WriteGenerationConfig(LlamaConfig config, string directory)
    {
        var json = new JsonObject
        {
            ["bos_token_id"] = config.BosTokenId,
            ["eos_token_id"] = config.EosTokenIds.Count == 1
                ? JsonValue.Create(config.EosTokenIds[0])
                : new JsonArray(config.EosTokenIds.Select(id => (JsonNode)JsonValue.Create(id)!).ToArray()),
            ["do_sample"] = true,
            ["temperature"] = 0.6,
            ["top_p"] = 0.9,
        };
        string path = Path.Combine(directory, "generation_config.json");
        File.WriteAllText(path + ".tmp", json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
