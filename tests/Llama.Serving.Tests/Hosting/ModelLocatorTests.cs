using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Storage;
using Llama.Serving.Hosting;

namespace Llama.Serving.Tests.Hosting;

/// <summary>`--model` takes a directory or a model artifact id: stages meet through artifacts.</summary>
public sealed class ModelLocatorTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"llama-serving-home-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_home)) Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task A_model_artifact_id_is_fetched_from_the_object_store_into_a_loadable_directory()
    {
        var platform = PlatformSettings.Embedded(_home);
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync();
        var objects = platform.CreateObjectStore();
        const string prefix = "runs/test/models/tiny/";
        long size = 0;
        foreach (var file in Directory.GetFiles(TinyModel.Directory))
            size += (await objects.PutFileAsync(prefix + Path.GetFileName(file), file)).SizeBytes;
        var artifact = await new ArtifactRegistry(store).RegisterAsync(new NewArtifact("model", "tiny-from-registry", prefix, size, new string('0', 64)));

        var (directory, name) = await ModelLocator.ResolveAsync(artifact.Id.ToString("N")[..8], platform, CancellationToken.None);
        Assert.Equal("tiny-from-registry", name);
        Assert.Equal(Directory.GetFiles(TinyModel.Directory).Select(Path.GetFileName).Order(), Directory.GetFiles(directory).Select(Path.GetFileName).Order());
        using var served = ServedModel.Load(directory, name, new ServingOptions());
        Assert.Equal(512, served.Engine.Model.Config.VocabSize);
    }

    [Fact]
    public async Task Something_that_is_neither_a_directory_nor_an_artifact_is_named_in_the_error()
    {
        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ModelLocator.ResolveAsync("/no/such/model", PlatformSettings.Embedded(_home), CancellationToken.None));
        Assert.Contains("/no/such/model", e.Message);
    }

    [Fact]
    public async Task An_artifact_of_another_kind_is_refused()
    {
        var platform = PlatformSettings.Embedded(_home);
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync();
        var dataset = await new ArtifactRegistry(store).RegisterAsync(new NewArtifact("dataset", "d", "datasets/d/", 0, new string('0', 64)));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => ModelLocator.ResolveAsync(dataset.Id.ToString(), platform, CancellationToken.None));
        Assert.Contains("not a model", e.Message);
    }
}
