using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Storage;

namespace Llama.Serving.Hosting;

/// <summary>
/// <c>--model</c> is a directory, or the id (or a 6+ digit prefix) of a <c>model</c> artifact: then its files are
/// fetched from the object store (hash-verified by the store) into a local cache. Stages meet through artifacts.
/// </summary>
public static class ModelLocator
{
    public const string ModelKind = "model";

    /// <summary>The local directory and the name clients will use for it.</summary>
    public static async Task<(string Directory, string Name)> ResolveAsync(string model, PlatformSettings? platform, CancellationToken cancellation)
    {
        if (Directory.Exists(model)) return (model, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(model))));
        if (platform is null) throw new DirectoryNotFoundException($"--model '{model}': no such directory");
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync(cancellation);
        Artifact artifact;
        try { artifact = await new ArtifactRegistry(store).ResolveAsync(model, cancellation); }
        catch (Exception e) when (e is ArgumentException or MetadataRecordNotFoundException)
        {
            throw new DirectoryNotFoundException($"--model '{model}': neither a directory nor a model artifact ({e.Message})");
        }
        if (artifact.Kind != ModelKind) throw new ArgumentException($"--model '{model}': artifact {artifact.Id} is a {artifact.Kind}, not a model");

        string cache = Path.Combine(platform.Home, "cache", "models", artifact.Id.ToString("N"));
        var objects = platform.CreateObjectStore();
        int files = 0;
        await foreach (var entry in objects.ListAsync(artifact.Uri, cancellation))
        {
            string relative = entry.Key[artifact.Uri.Length..];
            string target = Path.Combine(cache, relative);
            if (!File.Exists(target)) await objects.GetFileAsync(entry.Key, target, cancellation);
            files++;
        }
        if (files == 0) throw new InvalidOperationException($"model artifact {artifact.Id} has no files under {artifact.Uri}");
        return (cache, artifact.Name);
    }
}
