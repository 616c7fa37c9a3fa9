using Llama.Core.Model;
using Llama.Core.Quantization;

namespace Llama.Quantization.Quantizer;

/// <summary>Which linear layers of a model become FP8 and which stay in high precision, and why.</summary>
/// <param name="Quantized">Module names to convert, in model order.</param>
/// <param name="Kept">Every other linear layer with the reason it stays (attention, skipped layer, excluded, ...).</param>
public sealed record QuantizationPlan(IReadOnlyList<string> Quantized, IReadOnlyList<(string Module, string Reason)> Kept)
{
    /// <summary>
    /// Applies <paramref name="config"/> to <paramref name="model"/>: the chosen projections of the decoder layers
    /// between the skipped first and last ones, minus <see cref="QuantizeConfig.ModulesToNotConvert"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An excluded module matches nothing in the model, or nothing is left to quantize.</exception>
    /// <exception cref="InvalidOperationException">The model already has FP8 layers.</exception>
    public static QuantizationPlan For(LlamaModel model, QuantizeConfig config)
    {
        config.Validate();
        if (Fp8ModelLayout.Fp8Modules(model).Count > 0)
            throw new InvalidOperationException("the model is already FP8-quantized (it has FP8 layers); quantize its unquantized source instead");
        var linears = Fp8ModelLayout.LinearModuleNames(model);
        var exclusions = new FbgemmFp8Config { ModulesToNotConvert = config.ModulesToNotConvert };
        foreach (var entry in config.ModulesToNotConvert)
            if (!linears.Any(name => FbgemmFp8Config.Matches(entry, name)))
                throw new ArgumentException($"modulesToNotConvert: '{entry}' matches no linear layer of this model (they are named like '{linears[0]}')");

        int layers = model.Config.NumHiddenLayers;
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        for (int layer = config.SkipFirstLayers; layer < layers - config.SkipLastLayers; layer++)
            foreach (var projection in config.Projections)
                wanted.Add(Fp8ModelLayout.FeedForwardModuleName(layer, projection));

        var quantized = new List<string>();
        var kept = new List<(string, string)>();
        foreach (var name in linears)
        {
            if (exclusions.Excludes(name)) kept.Add((name, "modulesToNotConvert"));
            else if (wanted.Contains(name)) quantized.Add(name);
            else kept.Add((name, ReasonKept(name, layers, config)));
        }
        if (quantized.Count == 0)
            throw new ArgumentException($"nothing to quantize: the model has {layers} layers, skipFirstLayers={config.SkipFirstLayers} and skipLastLayers={config.SkipLastLayers} leave none (or all were excluded)");
        return new QuantizationPlan(quantized, kept);
    }

    private static string ReasonKept(string name, int layers, QuantizeConfig config)
    {
        if (name == "lm_head") return "output head";
        if (!name.Contains(".mlp.", StringComparison.Ordinal)) return name.Contains(".self_attn.", StringComparison.Ordinal) ? "attention" : "not feed-forward";
        var parts = name.Split('.');
        int layer = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
        if (layer < config.SkipFirstLayers) return "first layers skipped";
        if (layer >= layers - config.SkipLastLayers) return "last layers skipped";
        return "projection not selected";
    }
}
