using System.Security.Cryptography;
using System.Text;
using Llama.Core;
using Llama.Core.Devices;
using Llama.Core.Tokenization;
using Llama.Evaluation.Requests;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Storage;

namespace Llama.Evaluation.Running;

/// <summary>The model to evaluate could not be found or loaded; the message says which and why.</summary>
public sealed class ModelLoadException(string model, string problem, Exception? inner = null)
    : Exception($"--model {model}: cannot load the model: {problem}", inner);

/// <summary>A model to evaluate, loaded, with the artifact its results are stored under (when recording).</summary>
public sealed record LoadedModel(EvaluatedModel Model, string Directory, Guid? ArtifactId, string Name);

/// <summary>
/// <c>--model DIR_OR_ID</c>: a Hugging Face directory, or the id (or a 6+ digit prefix) of a <c>model</c> or
/// <c>checkpoint</c> artifact, fetched from the object store into a local cache. A directory evaluated while
/// recording becomes (or is found again as) a <c>model</c> artifact with a <c>file://</c> URI and the SHA-256 of
/// its files, so results of the same weights accumulate under one id.
/// </summary>
public static class ModelLoader
{
    public static async Task<LoadedModel> LoadAsync(string model, string? tokenizerDirectory, string device, EvaluationSettings settings,
        PlatformSettings? platform, CancellationToken cancellation)
    {
        string directory;
        Guid? artifactId = null;
        ArtifactRegistry? registry = null;
        if (platform is not null)
        {
            var store = new MetadataStore(platform.Metadata);
            await store.MigrateAsync(cancellation);
            registry = new ArtifactRegistry(store);
        }
        if (Directory.Exists(model)) directory = Path.GetFullPath(model);
        else if (registry is null) throw new ModelLoadException(model, "no such directory (an artifact id needs the platform; drop --no-record)");
        else
        {
            Artifact artifact;
            try { artifact = await registry.ResolveAsync(model, cancellation); }
            catch (Exception e) when (e is ArgumentException or MetadataRecordNotFoundException)
            {
                throw new ModelLoadException(model, $"neither a directory nor a model artifact ({e.Message})", e);
            }
            if (artifact.Kind is not ("model" or "checkpoint")) throw new ModelLoadException(model, $"artifact {artifact.Id} is a {artifact.Kind}, not a model or checkpoint");
            directory = await FetchAsync(artifact, platform!, cancellation);
            artifactId = artifact.Id;
        }

        EvaluatedModel evaluated;
        try
        {
            var tokenizer = Llama3Tokenizer.FromDirectory(tokenizerDirectory ?? directory);
            var llama = LlamaDirectory.Load(directory, DeviceSpec.Parse(device));
            if (llama.Config.VocabSize < tokenizer.VocabSize)
            {
                llama.Dispose();
                throw new ModelLoadException(model, $"the tokenizer has {tokenizer.VocabSize} ids but the model only {llama.Config.VocabSize}");
            }
            evaluated = new EvaluatedModel(llama, tokenizer, settings.MaxLength, settings.BatchSize);
        }
        catch (Exception e) when (e is not ModelLoadException and not OperationCanceledException)
        {
            throw new ModelLoadException(model, e.Message, e);
        }
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        if (registry is not null && artifactId is null) artifactId = (await FindOrRegisterAsync(registry, directory, name, cancellation)).Id;
        return new LoadedModel(evaluated, directory, artifactId, name);
    }

    private static async Task<Artifact> FindOrRegisterAsync(ArtifactRegistry registry, string directory, string name, CancellationToken cancellation)
    {
        // The folder hash as the pretraining stage computes it when it publishes a model (one "name\tsha256\n" line
        // per file, sorted, dot-files left out): a directory that was published matches its artifact.
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(relative => !relative.Split('/').Any(segment => segment.StartsWith('.')))
            .Order(StringComparer.Ordinal).ToList();
        var manifest = new StringBuilder();
        foreach (var file in files)
        {
            await using var stream = File.OpenRead(Path.Combine(directory, file));
            manifest.Append(file).Append('\t').Append(Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellation))).Append('\n');
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
        string uri = new Uri(directory + Path.DirectorySeparatorChar).AbsoluteUri;
        var known = (await registry.ListAsync("model", 1000, cancellation)).FirstOrDefault(a => a.Sha256 == sha);
        return known ?? await registry.RegisterAsync(new NewArtifact("model", name, uri, files.Sum(f => new FileInfo(Path.Combine(directory, f)).Length), sha), cancellation: cancellation);
    }

    private static async Task<string> FetchAsync(Artifact artifact, PlatformSettings platform, CancellationToken cancellation)
    {
        if (artifact.Uri.StartsWith("file://", StringComparison.Ordinal))
        {
            string local = new Uri(artifact.Uri).LocalPath;
            return Directory.Exists(local) ? local : throw new ModelLoadException(artifact.Id.ToString(), $"its folder {local} no longer exists");
        }
        string cache = Path.Combine(platform.Home, "cache", "models", artifact.Id.ToString("N"));
        var objects = platform.CreateObjectStore();
        await foreach (var info in objects.ListAsync(artifact.Uri, cancellation))
        {
            string relative = info.Key[artifact.Uri.Length..];
            if (relative.StartsWith("optimizer", StringComparison.Ordinal)) continue; // not needed to evaluate
            string target = Path.Combine(cache, relative.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(target)) await objects.GetFileAsync(info.Key, target, cancellation);
        }
        return cache;
    }
}
