using System.Globalization;
using Llama.Core.Checkpoints;

namespace Llama.Pretraining.Checkpointing;

/// <summary>
/// The on-disk layout of a training checkpoint: one folder per step under a run's checkpoint root.
/// </summary>
/// <remarks>
/// <code>
/// step-00000100/
///   config.json             the model's LlamaConfig: with model.safetensors, the folder loads as a Hugging Face model
///   model.safetensors       weights under Hugging Face tensor names
///   optimizer.safetensors   optimizer buffers under names the trainer chooses (exp_avg.&lt;param&gt;, ...)
///   trainer_state.json      the trainer's JSON object, stored verbatim
///   COMPLETE                written last: "file\tsha256\n" for each file above, sorted by name
/// </code>
/// A folder is written as <c>step-00000100.partial-&lt;guid&gt;</c> and renamed when whole, so any other name
/// starting with <c>step-</c>, or a <c>step-N</c> folder without <c>COMPLETE</c>, is the remains of an
/// interrupted save, replacement or deletion.
/// </remarks>
public static class TrainingCheckpointFiles
{
    /// <summary>Weights, one safetensors file with Hugging Face names (as <c>transformers</c> names a single-file save).</summary>
    public const string ModelFileName = HfCheckpointFiles.SingleFileName;

    /// <summary>Optimizer buffers as named tensors.</summary>
    public const string OptimizerFileName = "optimizer.safetensors";

    /// <summary>The trainer's state: step, tokens, loss, data-loader position, schedule, RNG.</summary>
    public const string TrainerStateFileName = "trainer_state.json";

    /// <summary>The model's <c>LlamaConfig</c>.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The marker written last; holds the manifest of the other files.</summary>
    public const string CompleteMarkerFileName = "COMPLETE";

    /// <summary>Every folder (complete or not) a checkpoint save touches begins with this.</summary>
    public const string FolderPrefix = "step-";

    /// <summary>The files a complete checkpoint holds besides the marker, sorted by name.</summary>
    public static IReadOnlyList<string> DataFileNames { get; } =
        new[] { ConfigFileName, ModelFileName, OptimizerFileName, TrainerStateFileName }.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The folder name of step <paramref name="step"/>: <c>step-00000100</c> (8 digits so folders list in step order).</summary>
    public static string FolderName(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return FolderPrefix + step.ToString("D8", CultureInfo.InvariantCulture);
    }

    /// <summary>True when <paramref name="folderName"/> is exactly the folder name of a step (no suffix, canonical digits).</summary>
    public static bool TryParseFolderName(string folderName, out long step)
    {
        step = -1;
        if (!folderName.StartsWith(FolderPrefix, StringComparison.Ordinal)) return false;
        var digits = folderName.AsSpan(FolderPrefix.Length);
        if (digits.Length == 0 || digits.IndexOfAnyExceptInRange('0', '9') >= 0) return false;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) return false;
        // "step-100" and "step-00000100" would both parse to 100; only the name Save writes counts.
        if (FolderName(parsed) != folderName) return false;
        step = parsed;
        return true;
    }

    /// <summary>A fresh name for the folder a save of <paramref name="step"/> is written into before it is renamed.</summary>
    internal static string PartialFolderName(long step) => $"{FolderName(step)}.partial-{Guid.NewGuid():N}";

    /// <summary>A fresh name a complete folder is renamed to before it is deleted or replaced.</summary>
    internal static string DiscardedFolderName(string folderName) => $"{folderName}.discarded-{Guid.NewGuid():N}";
}
