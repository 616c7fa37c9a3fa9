using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Storage;

namespace Llama.Interop;

/// <summary>
/// <c>--model DIR_OR_ID</c>: a Hugging Face directory, or the id (or a 6+ digit prefix) of a <c>model</c> artifact,
/// whose files are fetched from the object store (hash-verified while read) into <c>HOME/cache/models/&lt;id&gt;</c>.
/// </summary>
public static class ModelSource
{
    public const string ModelKind = "model";

    public static async Task<string> ResolveAsync(string model, PlatformSettings? platform, CancellationToken cancellation = default)
    {
        if (Directory.Exists(model)) return model;
        if (platform is null) throw new DirectoryNotFoundException($"--model '{model}': no such folder");
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync(cancellation);
        Artifact artifact;
        try { artifact = await new ArtifactRegistry(store).ResolveAsync(model, cancellation); }
        catch (Exception e) when (e is ArgumentException or MetadataRecordNotFoundException)
        {
            throw new DirectoryNotFoundException($"--model '{model}': neither a folder nor a model artifact ({e.Message})");
        }
        if (artifact.Kind != ModelKind) throw new ArgumentException($"--model '{model}': artifact {artifact.Id} is a {artifact.Kind}, not a model");

        string cache = Path.Combine(platform.Home, "cache", "models", artifact.Id.ToString("N"));
        var objects = platform.CreateObjectStore();
        // A model artifact's URI is its folder's key prefix, ending in '/' (CheckpointPublisher.ModelPrefix).
        await foreach (var item in objects.ListAsync(artifact.Uri, cancellation))
        {
            string target = Path.Combine(cache, item.Key[artifact.Uri.Length..]);
            if (!File.Exists(target) || new FileInfo(target).Length != item.SizeBytes) await objects.GetFileAsync(item.Key, target, cancellation);
        }
        if (!File.Exists(Path.Combine(cache, "config.json")))
            throw new DirectoryNotFoundException($"--model '{model}': artifact {artifact.Id} ({artifact.Uri}) holds no config.json");
        return cache;
    }
}
