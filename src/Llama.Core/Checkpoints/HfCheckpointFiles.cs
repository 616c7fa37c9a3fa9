using System.Text.RegularExpressions;

namespace Llama.Core.Checkpoints;

/// <summary>File names of weights in a Hugging Face model directory, as <c>transformers</c> saves them.</summary>
public static partial class HfCheckpointFiles
{
    /// <summary>All weights in one file.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>Index of a sharded save: <c>{"metadata": {"total_size": n}, "weight_map": {tensor: file}}</c>.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Name of shard <paramref name="number"/> (1-based) of <paramref name="count"/>: <c>model-00001-of-00003.safetensors</c>.</summary>
    public static string ShardFileName(int number, int count) => $"model-{number:D5}-of-{count:D5}.safetensors";

    /// <summary>True for the file names a save writes (single file, any shard, the index): the ones a new save replaces.</summary>
    public static bool IsWeightFileName(string fileName) =>
        fileName is SingleFileName or IndexFileName || ShardFileNamePattern().IsMatch(fileName);

    [GeneratedRegex(@"^model-\d{5}-of-\d{5}\.safetensors$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardFileNamePattern();
}
