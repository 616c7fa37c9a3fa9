using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llama.Core.Checkpoints;
using Llama.Core.Devices;
using Llama.Core.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Lora;

/// <summary>
/// LoRA applied to a <see cref="LlamaModel"/> from outside (as PEFT's <c>get_peft_model</c> and
/// <c>merge_and_unload</c>): <see cref="Attach"/> freezes every weight and swaps the chosen projections of every layer
/// for <see cref="LoraLinear"/>s; <see cref="Merge"/> folds each update into its weight and puts plain linear layers
/// back, so the model saves as a normal checkpoint with the names it had.
/// </summary>
public static class LoraAdapters
{
    /// <summary>Attaches adapters to <paramref name="config"/>'s targets in every layer; A is drawn from <paramref name="seed"/>.</summary>
    /// <returns>The adapted projections by module name (<c>model.layers.0.self_attn.q_proj</c>).</returns>
    /// <exception cref="ArgumentException">A bad config (unknown target, rank ≤ 0, ...).</exception>
    /// <exception cref="InvalidOperationException">The model already carries adapters.</exception>
    /// <exception cref="NotSupportedException">A target is not a plain linear layer (e.g. an FP8 one).</exception>
    public static IReadOnlyList<(string Name, LoraLinear Module)> Attach(LlamaModel model, LoraConfig config, long seed = 0)
    {
        config.Validate("lora");
        if (Adapted(model).Count > 0) throw new InvalidOperationException("the model already carries LoRA adapters: merge them before attaching new ones");
        var slots = Enumerable.Range(0, model.Decoder.Layers.Count).SelectMany(layer => config.Targets.Select(t => Slot(model, layer, t))).ToList();
        foreach (var slot in slots)
        {
            if (slot.Current is not Linear)
                throw new NotSupportedException($"{slot.Name} is a {slot.Current.GetType().Name}; LoRA adapts plain linear layers only");
        }
        foreach (var (_, parameter) in model.named_parameters()) parameter.requires_grad = false;
        using var generator = SeededRandom.Create(seed);
        foreach (var slot in slots)
        {
            var adapter = new LoraLinear((Linear)slot.Current, config.Rank, config.Alpha, config.Dropout, generator);
            if (!model.training) adapter.eval(); // dropout follows the model's mode
            slot.Replace(adapter);
        }
        return Adapted(model);
    }

    /// <summary>The projections that carry an adapter now, by module name.</summary>
    public static IReadOnlyList<(string Name, LoraLinear Module)> Adapted(LlamaModel model) =>
        Enumerable.Range(0, model.Decoder.Layers.Count)
            .SelectMany(layer => LoraConfig.KnownTargets.Select(t => Slot(model, layer, t)))
            .Where(s => s.Current is LoraLinear).Select(s => (s.Name, (LoraLinear)s.Current)).ToList();

    /// <summary>The adapters' A and B matrices under their full names (<c>model.layers.0.self_attn.q_proj.lora_A.weight</c>).</summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> AdapterParameters(LlamaModel model) =>
        Adapted(model).SelectMany(a => a.Module.AdapterParameters().Select(p => ($"{a.Name}.{p.Name}", p.Parameter))).ToList();

    /// <summary>
    /// Folds every adapter into its projection's weight (W + alpha/r · B A) and restores plain linear layers; every
    /// parameter then requires gradients again, as in a freshly loaded model.
    /// </summary>
    public static void Merge(LlamaModel model)
    {
        foreach (var layer in Enumerable.Range(0, model.Decoder.Layers.Count))
        {
            foreach (var slot in LoraConfig.KnownTargets.Select(t => Slot(model, layer, t)))
            {
                if (slot.Current is LoraLinear adapted) slot.Replace(adapted.Merge());
            }
        }
        foreach (var (_, parameter) in model.named_parameters()) parameter.requires_grad = true;
    }

    /// <summary>
    /// Writes the adapters alone in PEFT's layout: <c>adapter_model.safetensors</c> (tensors named
    /// <c>base_model.model.NAME.lora_A.weight</c>) and <c>adapter_config.json</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model carries no adapters.</exception>
    public static void Save(LlamaModel model, string directory, string? baseModel = null)
    {
        var adapted = Adapted(model);
        if (adapted.Count == 0) throw new InvalidOperationException("the model carries no LoRA adapters to save");
        var first = adapted[0].Module;
        Directory.CreateDirectory(directory);
        var tensors = AdapterParameters(model).Select(p => new KeyValuePair<string, Tensor>("base_model.model." + p.Name, p.Parameter));
        SafetensorsWriter.Write(Path.Combine(directory, "adapter_model.safetensors"), tensors);
        var config = new JsonObject
        {
            ["peft_type"] = "LORA", ["task_type"] = "CAUSAL_LM", ["base_model_name_or_path"] = baseModel,
            ["r"] = first.Rank, ["lora_alpha"] = first.Alpha, ["lora_dropout"] = first.Dropout, ["bias"] = "none",
            ["target_modules"] = new JsonArray(adapted.Select(a => a.Name[(a.Name.LastIndexOf('.') + 1)..]).Distinct().Select(t => (JsonNode)t).ToArray()),
        };
        File.WriteAllText(Path.Combine(directory, "adapter_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private sealed record ProjectionSlot(string Name, nn.Module<Tensor, Tensor> Current, Action<nn.Module<Tensor, Tensor>> Replace);

    private static ProjectionSlot Slot(LlamaModel model, int layer, string target)
    {
        var block = model.Decoder.Layers[layer];
        string prefix = string.Create(CultureInfo.InvariantCulture, $"model.layers.{layer}");
        return LlamaAttention.ProjectionNames.Contains(target)
            ? new($"{prefix}.self_attn.{target}", block.SelfAttention.Projection(target), m => block.SelfAttention.ReplaceProjection(target, m))
            : new($"{prefix}.mlp.{target}", block.Mlp.Projection(target), m => block.Mlp.ReplaceProjection(target, m));
    }
}
