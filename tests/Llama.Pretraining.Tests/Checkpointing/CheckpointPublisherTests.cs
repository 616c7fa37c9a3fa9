using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Llama.Core;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using Llama.Platform.Storage;
using Llama.Pretraining.Checkpointing;
using Microsoft.Data.Sqlite;

namespace Llama.Pretraining.Tests.Checkpointing;

public sealed class CheckpointPublisherTests : IAsyncLifetime
{
    private readonly TemporaryFolder _folder = new();
    private ArtifactRegistry _registry = null!;
    private RunTracker _runs = null!;
    private LocalFolderObjectStore _objects = null!;
    private CheckpointPublisher _publisher = null!;
    private TrainingCheckpointStore _checkpoints = null!;

    public async Task InitializeAsync()
    {
        var metadata = new MetadataStore(MetadataStoreOptions.Sqlite(_folder.Combine("metadata.db")));
        await metadata.MigrateAsync();
        _registry = new ArtifactRegistry(metadata);
        _runs = new RunTracker(metadata);
        _objects = new LocalFolderObjectStore(_folder.Combine("objects"));
        _publisher = new CheckpointPublisher(_objects, _registry);
        _checkpoints = new TrainingCheckpointStore(_folder.Combine("checkpoints"));
    }

    public Task DisposeAsync()
    {
        // Pooled connections keep the database file open; release them before deleting it.
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    private CheckpointInfo SaveCheckpoint(long step, TrainingState state) =>
        _checkpoints.Save(step, state.Weights, state.Optimizer, $"{{\"step\": {step}}}", TrainingState.TinyConfig);

    private Task<Run> StartRunAsync() => _runs.StartAsync("pretraining", "checkpoint-publish-test", "{}");

    /// <summary>The folder hash computed here from the files themselves, independently of the code under test.</summary>
    private static string ManifestSha256(string folder, IEnumerable<string> relativePaths)
    {
        var manifest = new StringBuilder();
        foreach (var relative in relativePaths.Order(StringComparer.Ordinal))
        {
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, relative))));
            manifest.Append($"{relative}\t{sha256}\n");
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
    }

    [Fact]
    public async Task Publishing_uploads_every_file_and_registers_the_artifact_and_checkpoint_row()
    {
        var run = await StartRunAsync();
        using var state = new TrainingState(seed: 21);
        var saved = SaveCheckpoint(100, state);

        var published = await _publisher.PublishAsync(run.Id, saved, tokensSeen: 409_600, loss: 4.25, tag: "periodic");

        var prefix = $"runs/{run.Id:D}/checkpoints/step-00000100/";
        var fileNames = Directory.EnumerateFiles(saved.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        var stored = new List<string>();
        await foreach (var info in _objects.ListAsync(prefix)) stored.Add(info.Key[prefix.Length..]);
        Assert.Equal(fileNames, stored);
        foreach (var name in fileNames)
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(saved.Path, name)), await _objects.ReadAllBytesAsync(prefix + name));

        var artifact = await _registry.GetAsync(published.Artifact.Id);
        Assert.Equal(CheckpointPublisher.CheckpointKind, artifact.Kind);
        Assert.Equal(prefix, artifact.Uri);
        Assert.Equal(saved.Bytes, artifact.SizeBytes);
        Assert.Equal(ManifestSha256(saved.Path, fileNames), artifact.Sha256);
        Assert.Equal(run.Id, artifact.ProducedByRunId);
        var metadata = JsonNode.Parse(artifact.MetadataJson!)!;
        Assert.Equal(100, (long)metadata["step"]!);
        Assert.Equal(409_600, (long)metadata["tokens_seen"]!);
        Assert.Equal(4.25, (double)metadata["loss"]!);

        var row = Assert.Single(await _registry.CheckpointsAsync(run.Id));
        Assert.Equal((artifact.Id, 100L, 409_600L, (double?)4.25, "periodic"), (row.ArtifactId, row.Step, row.TokensSeen, row.Loss, row.Tag));
    }

    [Fact]
    public async Task A_later_checkpoint_continues_from_the_previous_one_and_keeps_the_given_parents()
    {
        var dataset = await _registry.RegisterAsync(new NewArtifact("dataset", "tiny-corpus", "datasets/tiny/", 10, new string('a', 64)));
        var run = await StartRunAsync();
        using var state = new TrainingState(seed: 22);
        var trainedOn = new[] { (dataset.Id, "trained-on") };
        var first = await _publisher.PublishAsync(run.Id, SaveCheckpoint(100, state), 1000, 5.0, trainedOn);

        var second = await _publisher.PublishAsync(run.Id, SaveCheckpoint(200, state), 2000, 4.0, trainedOn);

        var firstParents = await _registry.ParentsAsync(first.Artifact.Id);
        Assert.Equal([(dataset.Id, "trained-on")], firstParents.Select(p => (p.Artifact.Id, p.Relation)));
        var secondParents = await _registry.ParentsAsync(second.Artifact.Id);
        Assert.Equal(
            new[] { (dataset.Id, "trained-on"), (first.Artifact.Id, CheckpointPublisher.ContinuedFromRelation) }.Order(),
            secondParents.Select(p => (p.Artifact.Id, p.Relation)).Order());
        Assert.Equal([100L, 200L], (await _registry.CheckpointsAsync(run.Id)).Select(c => c.Step));
    }

    [Fact]
    public async Task A_checkpoint_damaged_since_it_was_saved_is_not_published()
    {
        var run = await StartRunAsync();
        using var state = new TrainingState(seed: 23);
        var saved = SaveCheckpoint(100, state);
        var modelPath = Path.Combine(saved.Path, TrainingCheckpointFiles.ModelFileName);
        var bytes = await File.ReadAllBytesAsync(modelPath);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(modelPath, bytes);

        var error = await Assert.ThrowsAsync<CorruptTrainingCheckpointException>(() => _publisher.PublishAsync(run.Id, saved, 1000));

        Assert.Equal(modelPath, error.FilePath);
        Assert.Empty(await _registry.ListAsync(CheckpointPublisher.CheckpointKind));
        Assert.Empty(await _registry.CheckpointsAsync(run.Id));
        Assert.False(await _objects.ListAsync("runs/").GetAsyncEnumerator().MoveNextAsync());
    }

    [Fact]
    public async Task Publishing_for_an_unknown_run_uploads_nothing()
    {
        using var state = new TrainingState(seed: 24);
        var saved = SaveCheckpoint(100, state);

        await Assert.ThrowsAsync<RunNotFoundException>(() => _publisher.PublishAsync(Guid.NewGuid(), saved, 1000));

        Assert.False(await _objects.ListAsync().GetAsyncEnumerator().MoveNextAsync());
    }

    [Fact]
    public async Task A_published_model_directory_downloads_into_a_loadable_model()
    {
        var run = await StartRunAsync();
        using var state = new TrainingState(seed: 25);
        var checkpoint = await _publisher.PublishAsync(run.Id, SaveCheckpoint(100, state), 1000);
        var exported = _folder.Combine("export");
        LlamaDirectory.Save(state.Model, exported);

        var artifact = await _publisher.PublishModelAsync(exported, run.Id, "base", [(checkpoint.Artifact.Id, "exported-from")]);

        Assert.Equal(CheckpointPublisher.ModelKind, artifact.Kind);
        Assert.Equal($"runs/{run.Id:D}/models/base/", artifact.Uri);
        var files = Directory.EnumerateFiles(exported).Select(f => Path.GetFileName(f)).ToList();
        Assert.Equal(ManifestSha256(exported, files), artifact.Sha256);
        Assert.Equal(files.Sum(f => new FileInfo(Path.Combine(exported, f)).Length), artifact.SizeBytes);
        Assert.Equal([(checkpoint.Artifact.Id, "exported-from")], (await _registry.ParentsAsync(artifact.Id)).Select(p => (p.Artifact.Id, p.Relation)));

        var downloaded = _folder.Combine("downloaded");
        await foreach (var info in _objects.ListAsync(artifact.Uri))
            await _objects.GetFileAsync(info.Key, Path.Combine(downloaded, info.Key[artifact.Uri.Length..]));
        using var model = LlamaDirectory.Load(downloaded);
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, weight) in state.Weights) TensorBytes.AssertIdentical(weight, weights[name], name);
    }
}
