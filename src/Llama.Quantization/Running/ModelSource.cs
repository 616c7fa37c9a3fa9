using System.Text.Json;
using Llama.Core.Checkpoints;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Storage;

namespace Llama.Quantization.Running;

/// <summary>
/// <c>--model</c> is a Hugging Face directory, or the id (or a 6+ digit prefix) of a <c>model</c> artifact: then its
/// files (config, weights, tokenizer) are fetched from the object store, hash-verified, into a local cache.
/// </summary>
public static class ModelSource
{
    /// <summary>The files of an HF model directory that are fetched when present (the weights are added from the index).</summary>
    private static readonly string[] KnownFiles =
        ["config.json", "generation_config.json", HfCheckpointFiles.SingleFileName, HfCheckpointFiles.IndexFileName,
         "tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

    /// <returns>The local directory, and the artifact when the model was given as one.</returns>
    public static async Task<(string Directory, Artifact? Artifact)> ResolveAsync(string model, PlatformSettings? platform, CancellationToken cancellation)
    {
        if (Directory.Exists(model)) return (model, null);
        if (platform is null)
            throw new DirectoryNotFoundException($"--model '{model}': no such directory (a model artifact id needs the platform; drop --no-record)");
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync(cancellation);
        Artifact artifact;
        try { artifact = await new ArtifactRegistry(store).ResolveAsync(model, cancellation); }
        catch (Exception e) when (e is ArgumentException or MetadataRecordNotFoundException)
        {
            throw new DirectoryNotFoundException($"--model '{model}': neither a directory nor a model artifact ({e.Message})");
        }
        if (artifact.Kind != "model") throw new ArgumentException($"--model '{model}': artifact {artifact.Id} is a {artifact.Kind}, not a model");
        if (!artifact.Uri.EndsWith('/')) throw new ArgumentException($"--model '{model}': artifact {artifact.Id} is not a folder in the object store ({artifact.Uri})");

        string cache = Path.Combine(platform.Home, "cache", "models", artifact.Id.ToString("N"));
        var objects = platform.CreateObjectStore();
        foreach (var file in KnownFiles) await FetchAsync(objects, artifact.Uri + file, Path.Combine(cache, file), cancellation);
        string index = Path.Combine(cache, HfCheckpointFiles.IndexFileName);
        if (File.Exists(index))
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(index, cancellation));
            var shards = json.RootElement.GetProperty("weight_map").EnumerateObject().Select(p => p.Value.GetString()!).Distinct();
            foreach (var shard in shards) await FetchAsync(objects, artifact.Uri + shard, Path.Combine(cache, shard), cancellation);
        }
        return (cache, artifact);
    }

    private static async Task FetchAsync(IObjectStore objects, string key, string target, CancellationToken cancellation)
    {
        if (File.Exists(target) || !await objects.ExistsAsync(key, cancellation)) return;
        await objects.GetFileAsync(key, target, cancellation);
    }
}
