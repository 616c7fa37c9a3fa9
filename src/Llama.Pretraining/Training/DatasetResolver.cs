using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Storage;

namespace Llama.Pretraining.Training;

/// <summary>
/// <c>--data</c> is a curated folder, or the id (or a 6+ digit prefix) of a <c>dataset</c> artifact: then its
/// <c>shard</c> and <c>tokenizer</c> artifacts are fetched from the object store (hash-verified) into a local cache.
/// Stages meet through artifacts, not through each other's code (DESIGN.md).
/// </summary>
public static class DatasetResolver
{
    public static async Task<string> ResolveAsync(string data, PlatformSettings? platform, CancellationToken cancellation)
    {
        if (Directory.Exists(data)) return data;
        if (platform is null)
            throw new DirectoryNotFoundException($"--data '{data}': no such folder (a dataset artifact id needs the platform; drop --no-record)");
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync(cancellation);
        var registry = new ArtifactRegistry(store);
        Artifact dataset;
        try { dataset = await registry.ResolveAsync(data, cancellation); }
        catch (Exception e) when (e is ArgumentException or MetadataRecordNotFoundException)
        {
            throw new DirectoryNotFoundException($"--data '{data}': neither a folder nor a dataset artifact ({e.Message})");
        }
        if (dataset.Kind != "dataset") throw new ArgumentException($"--data '{data}': artifact {dataset.Id} is a {dataset.Kind}, not a dataset");

        string cache = Path.Combine(platform.Home, "cache", "datasets", dataset.Id.ToString("N"));
        var children = await registry.ChildrenAsync(dataset.Id, cancellation);
        var shards = children.Where(c => c.Artifact.Kind == "shard").OrderBy(c => c.Artifact.Name, StringComparer.Ordinal).ToList();
        if (shards.Count == 0) throw new InvalidOperationException($"dataset {dataset.Id} has no shard artifacts");
        var objects = platform.CreateObjectStore();
        foreach (var shard in shards)
        {
            string target = Path.Combine(cache, "tokens", Path.GetFileName(shard.Artifact.Uri));
            if (!File.Exists(target)) await objects.GetFileAsync(shard.Artifact.Uri, target, cancellation);
        }
        if (children.FirstOrDefault(c => c.Artifact.Kind == "tokenizer") is { } tokenizer)
        {
            string prefix = tokenizer.Artifact.Uri[..(tokenizer.Artifact.Uri.LastIndexOf('/') + 1)];
            foreach (var file in new[] { "tokenizer.model", "tokenizer.json", "tokenizer_config.json" })
            {
                string target = Path.Combine(cache, "tokenizer", file);
                if (!File.Exists(target) && await objects.ExistsAsync(prefix + file, cancellation))
                    await objects.GetFileAsync(prefix + file, target, cancellation);
            }
        }
        return cache;
    }
}
