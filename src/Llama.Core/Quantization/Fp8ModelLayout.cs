using System.Text.RegularExpressions;
using Llama.Core.Checkpoints;
using Llama.Core.Config;
using Llama.Core.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Core.Quantization;

/// <summary>
/// Which linear layers of a <see cref="LlamaModel"/> are FP8, in the terms of an fbgemm_fp8 checkpoint: the model
/// is prepared from a checkpoint's <c>quantization_config</c> before its weights are copied in
/// (<see cref="LlamaDirectory.Load"/>), and a model holding <see cref="Fp8Linear"/> layers describes itself with one
/// when saved. Only feed-forward projections can be FP8: that is what Llama 3 quantizes (attention stays in high
/// precision), and the model is changed from outside by swapping its MLP projections.
/// </summary>
public static partial class Fp8ModelLayout
{
    [GeneratedRegex(@"^model\.layers\.(\d+)\.mlp\.(gate_proj|up_proj|down_proj)$")]
    private static partial Regex FeedForwardName();

    /// <summary>The feed-forward projections of one decoder layer, in checkpoint naming.</summary>
    public static IReadOnlyList<string> FeedForwardProjections { get; } = [LlamaMlp.GateProjName, LlamaMlp.UpProjName, LlamaMlp.DownProjName];

    /// <summary>The module name of a feed-forward projection: <c>model.layers.3.mlp.up_proj</c>.</summary>
    public static string FeedForwardModuleName(int layer, string projection) => $"model.layers.{layer}.mlp.{projection}";

    /// <summary>Names of every linear layer of the model (plain or FP8), in module order.</summary>
    public static IReadOnlyList<string> LinearModuleNames(LlamaModel model) =>
        NamedModules(model).Where(m => m.Module is Linear or Fp8Linear).Select(m => m.Name).ToList();

    /// <summary>The FP8 layers of the model by module name.</summary>
    public static IReadOnlyList<(string Name, Fp8Linear Module)> Fp8Modules(LlamaModel model) =>
        NamedModules(model).Where(m => m.Module is Fp8Linear).Select(m => (m.Name, (Fp8Linear)m.Module)).ToList();

    /// <summary>The plain linear layer <paramref name="moduleName"/> of the model.</summary>
    /// <exception cref="ArgumentException">No linear layer has that name.</exception>
    public static Linear GetLinear(LlamaModel model, string moduleName) =>
        NamedModules(model).FirstOrDefault(m => m.Name == moduleName).Module as Linear
        ?? throw new ArgumentException($"the model has no plain linear layer named '{moduleName}'", nameof(moduleName));

    /// <summary>
    /// Modules under their checkpoint names. TorchSharp's <c>named_modules</c> also lists a module under the name of
    /// the property field that holds it (<c>&lt;Mlp&gt;k__BackingField</c>); the names that own parameters are the real ones.
    /// </summary>
    private static IEnumerable<(string Name, nn.Module Module)> NamedModules(LlamaModel model)
    {
        var owners = model.named_parameters().Select(p => p.name[..Math.Max(0, p.name.LastIndexOf('.'))]).ToHashSet(StringComparer.Ordinal);
        return model.named_modules().Where(m => owners.Contains(m.name)).Select(m => (m.name, m.module));
    }

    /// <summary>Puts <paramref name="replacement"/> in place of the feed-forward projection <paramref name="moduleName"/>.</summary>
    /// <exception cref="NotSupportedException">The name is not a feed-forward projection (<c>model.layers.N.mlp.*_proj</c>).</exception>
    public static void Replace(LlamaModel model, string moduleName, nn.Module<Tensor, Tensor> replacement)
    {
        var match = FeedForwardName().Match(moduleName);
        if (!match.Success)
            throw new NotSupportedException($"'{moduleName}' cannot be FP8 here: only feed-forward projections (model.layers.N.mlp.gate_proj/up_proj/down_proj) are, as in Llama 3");
        int layer = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (layer >= model.Decoder.Layers.Count)
            throw new ArgumentException($"'{moduleName}': the model has {model.Decoder.Layers.Count} layers", nameof(moduleName));
        model.Decoder.Layers[layer].Mlp.ReplaceProjection(match.Groups[2].Value, replacement);
    }

    /// <summary>
    /// Makes a freshly built model match the checkpoint it is about to be loaded from: with an fbgemm_fp8
    /// <c>quantization_config</c>, every linear layer it does not exclude becomes an (empty) <see cref="Fp8Linear"/>.
    /// Checks that the stored dtypes agree, so an FP8 weight is never copied into a float parameter (or the reverse),
    /// which would silently drop its scale.
    /// </summary>
    /// <exception cref="LlamaConfigException">A bad quantization_config, or <c>modules_to_not_convert</c> names a module the model does not have.</exception>
    /// <exception cref="CheckpointIndexException">A stored weight's dtype does not match what the config says.</exception>
    /// <exception cref="NotSupportedException">The config leaves a non-feed-forward layer (attention, lm_head) in FP8.</exception>
    public static void PrepareForCheckpoint(LlamaModel model, ICheckpointReader reader, string source)
    {
        var quantization = FbgemmFp8Config.Read(model.Config, Path.Combine(source, "config.json"));
        var linears = LinearModuleNames(model);
        if (quantization is null)
        {
            foreach (var name in linears) RequireStoredDtype(reader, source, name + ".weight", fp8: false);
            return;
        }
        foreach (var entry in quantization.ModulesToNotConvert)
        {
            if (!linears.Any(name => FbgemmFp8Config.Matches(entry, name)))
                throw new LlamaConfigException(
                    $"{Path.Combine(source, "config.json")}: {FbgemmFp8Config.ConfigKey}.modules_to_not_convert names '{entry}', which matches no linear layer of this model (e.g. '{linears[0]}')");
        }
        foreach (var name in linears)
        {
            bool fp8 = !quantization.Excludes(name);
            RequireStoredDtype(reader, source, name + ".weight", fp8);
            if (!fp8) continue;
            if (!reader.Contains(name + ".weight_scale"))
                throw new CheckpointIndexException(source, name + ".weight_scale", "is missing: an FP8 weight needs its per-row scale");
            var linear = GetLinear(model, name);
            var weight = linear.weight!;
            Replace(model, name, new Fp8Linear(weight.shape[1], weight.shape[0], linear.bias is not null,
                quantization.ActivationScaleUpperBound, model.Device, model.DType));
        }
    }

    /// <summary><paramref name="config"/> with the quantization config that describes the model's FP8 layers (or none).</summary>
    public static LlamaConfig DescribeIn(LlamaModel model, LlamaConfig config)
    {
        var fp8 = Fp8Modules(model);
        if (fp8.Count == 0) return FbgemmFp8Config.Apply(config, null);
        var bounds = fp8.Select(m => m.Module.ActivationScaleUpperBound).Distinct().ToList();
        if (bounds.Count > 1)
            throw new InvalidOperationException($"the FP8 layers use {bounds.Count} different activation scale bounds; activation_scale_ub holds one");
        var plain = NamedModules(model).Where(m => m.Module is Linear).Select(m => m.Name).ToList();
        return FbgemmFp8Config.Apply(config, new FbgemmFp8Config { ActivationScaleUpperBound = bounds[0], ModulesToNotConvert = plain });
    }

    private static void RequireStoredDtype(ICheckpointReader reader, string source, string tensor, bool fp8)
    {
        if (!reader.Contains(tensor)) return; // LoadWeights reports a missing tensor by name
        var stored = reader.GetInfo(tensor).Dtype;
        bool storedFp8 = stored is SafetensorsDtype.F8_E4M3 or SafetensorsDtype.F8_E5M2;
        if (fp8 && stored != SafetensorsDtype.F8_E4M3)
            throw new CheckpointIndexException(source, tensor, $"is stored as {stored.HeaderName()}, but {FbgemmFp8Config.ConfigKey} makes this layer FP8 (F8_E4M3 with a weight_scale)");
        if (!fp8 && storedFp8)
            throw new CheckpointIndexException(source, tensor,
                $"is stored as {stored.HeaderName()}, but config.json does not make this layer FP8 (no fbgemm_fp8 {FbgemmFp8Config.ConfigKey}, or the layer is in modules_to_not_convert)");
    }
}
