using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Llama.Platform.Storage;

namespace Llama.Platform.Tests.Artifacts;

/// <summary>How a local model folder is named on the record, and how a model artifact is read back as a folder.</summary>
public sealed class ModelArtifactFolderTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("llama-model-folder-").FullName;
    private PlatformSettings _platform = null!;
    private ArtifactRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _platform = PlatformSettings.Embedded(Path.Combine(_root, "home"));
        var store = new MetadataStore(_platform.Metadata);
        await store.MigrateAsync();
        _registry = new ArtifactRegistry(store);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Folder_content_hash_is_the_sha256_of_sorted_name_and_file_hash_lines_without_dot_files()
    {
        string folder = Folder("hashed", ("a.txt", "x"), ("sub/b.txt", "y"), (".a.txt.partial", "z"), ("sub/.tmp/c", "w"));
        var hash = await FolderContentHash.OfAsync(folder);
        // sha256("a.txt\t" + sha256("x") + "\nsub/b.txt\t" + sha256("y") + "\n"), computed with Python's hashlib.
        Assert.Equal("8300351e31c20c5c6d54439c8a9df16b27ea34168ef2e1ce157014c0b25cbe30", hash.Sha256);
        Assert.Equal((2L, 2), (hash.SizeBytes, hash.Files));
    }

    [Fact]
    public async Task A_folder_with_the_files_of_a_published_model_is_that_artifact_wherever_it_lies()
    {
        string folder = Folder("model", ("config.json", "{}"), ("model.safetensors", "weights"));
        // An older in-place record of the same folder must not win over the published model a run made.
        var inPlace = await _registry.RegisterAsync(new NewArtifact("model", "model", ModelArtifactFolder.LocationOf(folder), 9,
            (await FolderContentHash.OfAsync(folder)).Sha256));
        var published = await PublishAsync(folder, "checkpoint-free/final/", "model");

        Assert.Equal(published.Id, (await ModelArtifactFolder.FindOrRegisterAsync(_registry, folder)).Id);
        string copy = Folder("copy", ("config.json", "{}"), ("model.safetensors", "weights"));
        Assert.Equal(published.Id, (await ModelArtifactFolder.FindOrRegisterAsync(_registry, copy)).Id);
        Assert.NotEqual(inPlace.Id, published.Id);
    }

    [Fact]
    public async Task A_folder_no_stage_recorded_is_registered_in_place_once_and_anew_when_its_files_change()
    {
        string folder = Folder("local", ("config.json", "{}"), ("model.safetensors", "weights"));
        var first = await ModelArtifactFolder.FindOrRegisterAsync(_registry, folder);
        Assert.Equal(("model", "local", ModelArtifactFolder.LocationOf(folder)), (first.Kind, first.Name, first.Uri));
        Assert.StartsWith("file://", first.Uri);
        Assert.Equal(first.Id, (await ModelArtifactFolder.FindOrRegisterAsync(_registry, folder)).Id);

        File.WriteAllText(Path.Combine(folder, "model.safetensors"), "other weights");
        var changed = await ModelArtifactFolder.FindOrRegisterAsync(_registry, folder);
        Assert.NotEqual(first.Id, changed.Id);
    }

    [Fact]
    public async Task A_folder_of_another_kind_is_not_taken_for_a_model_with_the_same_files()
    {
        string folder = Folder("rm", ("config.json", "{}"), ("model.safetensors", "weights"));
        var model = await ModelArtifactFolder.FindOrRegisterAsync(_registry, folder);
        var rewardModel = await ModelArtifactFolder.FindOrRegisterAsync(_registry, folder, "reward-model");
        Assert.NotEqual(model.Id, rewardModel.Id);
        Assert.Equal("reward-model", rewardModel.Kind);
    }

    [Fact]
    public async Task An_in_place_record_resolves_to_its_folder_and_a_vanished_one_is_named_in_the_error()
    {
        string folder = Folder("aligned", ("config.json", "{}"), ("model.safetensors", "weights"));
        var artifact = await ModelArtifactFolder.FindOrRegisterAsync(_registry, folder);

        var (directory, resolved) = await ModelArtifactFolder.ResolveAsync(artifact.Id.ToString("N")[..8], _platform);
        Assert.Equal(Path.TrimEndingDirectorySeparator(folder), Path.TrimEndingDirectorySeparator(directory));
        Assert.Equal(artifact.Id, resolved!.Id);

        Directory.Delete(folder, recursive: true);
        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ModelArtifactFolder.ResolveAsync(artifact.Id.ToString(), _platform));
        Assert.Contains(folder, e.Message);
    }

    [Fact]
    public async Task A_checkpoint_artifact_is_fetched_without_its_optimizer_state()
    {
        string folder = Folder("step-00000020", ("config.json", "{}"), ("model.safetensors", "weights"), ("optimizer.safetensors", "moments"), ("COMPLETE", "manifest"));
        var checkpoint = await PublishAsync(folder, "runs/x/checkpoints/step-00000020/", "checkpoint");

        var (directory, resolved) = await ModelArtifactFolder.ResolveAsync(checkpoint.Id.ToString(), _platform);
        Assert.Equal(checkpoint.Id, resolved!.Id);
        Assert.Equal(["COMPLETE", "config.json", "model.safetensors"], Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("weights", File.ReadAllText(Path.Combine(directory, "model.safetensors")));
    }

    /// <summary>Uploads a folder's files and registers them as a run's output, with the hash the object store reported (as pretraining publishes).</summary>
    private async Task<Artifact> PublishAsync(string folder, string prefix, string kind)
    {
        var objects = _platform.CreateObjectStore();
        var lines = new System.Text.StringBuilder();
        long bytes = 0;
        foreach (var path in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            var info = await objects.PutFileAsync(prefix + Path.GetFileName(path), path);
            lines.Append(Path.GetFileName(path)).Append('\t').Append(info.Sha256).Append('\n');
            bytes += info.SizeBytes;
        }
        var run = await new RunTracker(new MetadataStore(_platform.Metadata)).StartAsync("pretraining", "p", "{}");
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(lines.ToString())));
        return await _registry.RegisterAsync(new NewArtifact(kind, Path.GetFileName(folder), prefix, bytes, sha, null, run.Id));
    }

    private string Folder(string name, params (string Path, string Content)[] files)
    {
        string folder = Path.Combine(_root, name);
        foreach (var (path, content) in files)
        {
            string file = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }
        return folder;
    }
}
