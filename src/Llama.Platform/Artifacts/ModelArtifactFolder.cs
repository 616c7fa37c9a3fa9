using Llama.Platform.Metadata;
using Llama.Platform.Storage;

namespace Llama.Platform.Artifacts;

/// <summary>
/// <c>--model DIR_OR_ID</c>, the one way every stage reads a model: a directory on disk as it is, or the id (or a 6+
/// digit prefix) of a <c>model</c> artifact, whose files are fetched from the object store (hash-verified while read)
/// into <c>HOME/cache/models/&lt;id&gt;</c>. Stages meet through artifacts (DESIGN.md), not through each other's code.
/// </summary>
public static class ModelArtifactFolder
{
    public const string ModelKind = "model";

    /// <returns>The local directory, and the artifact when the model was given as one.</returns>
    /// <exception cref="DirectoryNotFoundException">Neither a directory nor an artifact id (or no platform to look the id up in).</exception>
    /// <exception cref="ArgumentException">The artifact is not a model.</exception>
    /// <exception cref="InvalidOperationException">The artifact's folder holds no files.</exception>
    public static async Task<(string Directory, Artifact? Artifact)> ResolveAsync(string model, PlatformSettings? platform, CancellationToken cancellation = default)
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
        if (artifact.Kind != ModelKind) throw new ArgumentException($"--model '{model}': artifact {artifact.Id} is a {artifact.Kind}, not a model");
        if (!artifact.Uri.EndsWith('/'))
            throw new ArgumentException($"--model '{model}': artifact {artifact.Id} is not a folder in the object store ({artifact.Uri})");

        string cache = Path.Combine(platform.Home, "cache", "models", artifact.Id.ToString("N"));
        var objects = platform.CreateObjectStore();
        int files = 0;
        // A model artifact's URI is its folder's key prefix: every object under it is one file of the directory.
        await foreach (var item in objects.ListAsync(artifact.Uri, cancellation))
        {
            string target = Path.Combine(cache, item.Key[artifact.Uri.Length..]);
            if (!File.Exists(target) || new FileInfo(target).Length != item.SizeBytes) await objects.GetFileAsync(item.Key, target, cancellation);
            files++;
        }
        if (files == 0) throw new InvalidOperationException($"model artifact {artifact.Id} has no files under {artifact.Uri}");
        return (cache, artifact);
    }
}
