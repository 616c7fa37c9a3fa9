using System.CommandLine;
using System.Globalization;
using Llama.Core.Config;

namespace Llama.Cli.Commands;

/// <summary><c>llama info MODEL</c>: config, parameter counts and FLOPs per token of a model directory or preset.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = $"A model directory (config.json) or a preset: {string.Join(", ", LlamaPresets.Names)}" };
        var context = new Option<int?>("--context") { Description = "Context length for the FLOP count (default: min(max_position_embeddings, 8192))" };
        var command = new Command("info", "Print a model's config, parameter count and FLOPs per token") { model, context };
        command.SetAction(parse =>
        {
            string name = parse.GetValue(model)!;
            var config = LlamaPresets.TryGet(name, out var preset) ? preset : LlamaConfig.Load(name);
            Console.WriteLine(Describe(name, config, parse.GetValue(context)));
            return 0;
        });
        return command;
    }

    public static string Describe(string name, LlamaConfig c, int? contextOverride)
    {
        int context = contextOverride ?? Math.Min(c.MaxPositionEmbeddings, 8192);
        if (context <= 0) throw new ArgumentException($"--context ({context}) must be positive");
        var size = ModelSize.Of(c);
        var inv = CultureInfo.InvariantCulture;
        string rope = c.RopeScaling is { } s
            ? $"theta {c.RopeTheta.ToString(inv)}, {s.RopeType} scaling (factor {s.Factor.ToString(inv)})"
            : $"theta {c.RopeTheta.ToString(inv)}, no scaling";
        return string.Join(Environment.NewLine,
            $"model            {name}",
            $"layers           {c.NumHiddenLayers}",
            $"hidden / ffn     {c.HiddenSize} / {c.IntermediateSize}",
            $"heads / kv heads {c.NumAttentionHeads} / {c.EffectiveKeyValueHeads} (head_dim {c.EffectiveHeadDim})",
            $"vocabulary       {c.VocabSize}",
            $"context          {c.MaxPositionEmbeddings}",
            $"rope             {rope}",
            $"output head      {(c.TieWordEmbeddings ? "tied to the embedding" : "untied")}",
            $"dtype            {c.TorchDtype}",
            $"parameters       {size.Total.ToString("N0", inv)} ({Human(size.Total)})",
            $"  embedding      {size.Embedding.ToString("N0", inv)}",
            $"  per layer      {size.PerLayer.ToString("N0", inv)} (attention {size.AttentionPerLayer.ToString("N0", inv)}, feed-forward {size.FeedForwardPerLayer.ToString("N0", inv)})",
            $"  output head    {size.OutputHead.ToString("N0", inv)}",
            $"FLOPs per token  forward {Human(ModelSize.ForwardFlopsPerToken(c, context))}, training {Human(ModelSize.TrainingFlopsPerToken(c, context))} at context {context}");
    }

    private static string Human(double n) => n switch
    {
        >= 1e12 => (n / 1e12).ToString("0.00", CultureInfo.InvariantCulture) + "T",
        >= 1e9 => (n / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + "B",
        >= 1e6 => (n / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (n / 1e3).ToString("0.00", CultureInfo.InvariantCulture) + "K",
        _ => n.ToString("0", CultureInfo.InvariantCulture),
    };
}
