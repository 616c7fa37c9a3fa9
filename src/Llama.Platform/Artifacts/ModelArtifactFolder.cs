using Llama.Platform.Metadata;
using Llama.Platform.Storage;

namespace Llama.Platform.Artifacts;

/// <summary>
/// The one way every stage reads a model and names it on the record. <c>--model DIR_OR_ID</c> is a directory on disk as
/// it is, or the id (or a 6+ digit prefix) of a <c>model</c> or <c>checkpoint</c> artifact: one in the object store is
/// fetched (hash-verified while read) into <c>HOME/cache/models/&lt;id&gt;</c>, a <c>file://</c> one is its folder.
/// And a local directory is named by <see cref="FindOrRegisterAsync"/>: the artifact it already is (a published
/// checkpoint or model with the same files, or an earlier record of it), else a new <c>file://</c> record, so every
/// stage links runs, lineage and eval results of the same weights to the same id. Stages meet through artifacts
/// (DESIGN.md), not through each other's code.
/// </summary>
public static class ModelArtifactFolder
{
    public const string ModelKind = "model";

    /// <summary>A training checkpoint (weights, optimizer, trainer state); loadable as a model.</summary>
    public const string CheckpointKind = "checkpoint";

    /// <summary>A model kept for inspection but not offered as one (quantization outside its quality budget).</summary>
    public const string FlaggedModelKind = "flagged-model";

    /// <summary>Kinds whose artifacts hold a model's files: what a local model directory may turn out to be.</summary>
    private static readonly string[] ModelFolderKinds = [ModelKind, CheckpointKind, FlaggedModelKind];

    /// <returns>The local directory, and the artifact when the model was given as one.</returns>
    /// <exception cref="DirectoryNotFoundException">Neither a directory nor an artifact id (or no platform to look the id up in), or a <c>file://</c> artifact whose folder is gone.</exception>
    /// <exception cref="ArgumentException">The artifact is not a model or checkpoint.</exception>
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
        if (artifact.Kind is not (ModelKind or CheckpointKind))
            throw new ArgumentException($"--model '{model}': artifact {artifact.Id} is a {artifact.Kind}, not a model or checkpoint");
        if (IsLocal(artifact.Uri))
        {
            string local = new Uri(artifact.Uri).LocalPath;
            return Directory.Exists(local) ? (local, artifact)
                : throw new DirectoryNotFoundException($"--model '{model}': artifact {artifact.Id} was recorded in place at {local}, which no longer exists");
        }
        if (!artifact.Uri.EndsWith('/'))
            throw new ArgumentException($"--model '{model}': artifact {artifact.Id} is not a folder in the object store ({artifact.Uri})");

        string cache = Path.Combine(platform.Home, "cache", "models", artifact.Id.ToString("N"));
        var objects = platform.CreateObjectStore();
        int files = 0;
        // A model artifact's URI is its folder's key prefix: every object under it is one file of the directory.
        await foreach (var item in objects.ListAsync(artifact.Uri, cancellation))
        {
            string relative = item.Key[artifact.Uri.Length..];
            // A checkpoint's optimizer state is as large as its weights twice over and no reader of a model needs it.
            if (artifact.Kind == CheckpointKind && relative.StartsWith("optimizer", StringComparison.Ordinal)) continue;
            string target = Path.Combine(cache, relative.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(target) || new FileInfo(target).Length != item.SizeBytes) await objects.GetFileAsync(item.Key, target, cancellation);
            files++;
        }
        if (files == 0) throw new InvalidOperationException($"model artifact {artifact.Id} has no files under {artifact.Uri}");
        return (cache, artifact);
    }

    /// <summary>
    /// The artifact a local folder is: of the artifacts with the same content hash (<see cref="FolderContentHash"/>), a
    /// published one first (in the object store, made by a run: lineage goes on from there, e.g. pretraining's model),
    /// then a <c>file://</c> record of this folder, then one of a copy elsewhere; with none, the folder is registered
    /// in place as a <c>file://</c> artifact of <paramref name="kind"/>. A folder whose files changed is a new artifact.
    /// </summary>
    /// <param name="kind"><c>model</c> (then published checkpoints and flagged models match too) or another folder kind, e.g. <c>reward-model</c>.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    public static async Task<Artifact> FindOrRegisterAsync(ArtifactRegistry registry, string directory, string kind = ModelKind, CancellationToken cancellation = default)
    {
        var content = await FolderContentHash.OfAsync(directory, cancellation);
        string location = LocationOf(directory);
        var sameContent = await registry.WithContentAsync(content.Sha256, kind == ModelKind ? ModelFolderKinds : [kind], cancellation);
        var found = sameContent.OrderBy(a => !IsLocal(a.Uri) ? 0 : a.Uri.TrimEnd('/') == location.TrimEnd('/') ? 1 : 2).FirstOrDefault();
        return found ?? await registry.RegisterAsync(new NewArtifact(kind, FolderName(directory), location, content.SizeBytes, content.Sha256), cancellation: cancellation);
    }

    /// <summary>The <c>file://</c> URI that records a folder in place (with its trailing '/', like an object-store folder).</summary>
    public static string LocationOf(string directory) =>
        new Uri(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar).AbsoluteUri;

    private static bool IsLocal(string uri) => uri.StartsWith("file://", StringComparison.Ordinal);

    private static string FolderName(string directory) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
}
