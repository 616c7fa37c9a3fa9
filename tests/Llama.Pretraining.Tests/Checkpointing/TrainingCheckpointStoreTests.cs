using Llama.Core;
using Llama.Core.Checkpoints;
using Llama.Pretraining.Checkpointing;
using static TorchSharp.torch;

namespace Llama.Pretraining.Tests.Checkpointing;

public sealed class TrainingCheckpointStoreTests : IDisposable
{
    // Odd spacing and key order: the store must hand back these exact characters, not a re-serialization.
    private const string TrainerStateJson = "{ \"step\": 100,\"tokens_seen\" : 409600, \"loss\": 4.25,\n \"data_loader\": {\"shard\": 3, \"offset\": 12}, \"rng\": [1, 2] }";

    private readonly TemporaryFolder _folder = new();
    private readonly TrainingCheckpointStore _store;

    public TrainingCheckpointStoreTests() => _store = new TrainingCheckpointStore(_folder.Combine("checkpoints"));

    public void Dispose() => _folder.Dispose();

    private CheckpointInfo Save(long step, TrainingState state, string trainerState = TrainerStateJson) =>
        _store.Save(step, state.Weights, state.Optimizer, trainerState, TrainingState.TinyConfig);

    private static void AssertHolds(LoadedCheckpoint loaded, TrainingState state)
    {
        Assert.Equal(state.Weights.Select(w => w.Key).Order(StringComparer.Ordinal), loaded.Model.Names.Order(StringComparer.Ordinal));
        foreach (var (name, weight) in state.Weights)
        {
            using var stored = loaded.Model.ReadTensor(name);
            TensorBytes.AssertIdentical(weight, stored, name);
        }
        Assert.Equal(state.Optimizer.Select(b => b.Key).Order(StringComparer.Ordinal), loaded.Optimizer.Names.Order(StringComparer.Ordinal));
        foreach (var (name, buffer) in state.Optimizer)
        {
            using var stored = loaded.Optimizer.ReadTensor(name);
            TensorBytes.AssertIdentical(buffer, stored, name);
        }
    }

    [Fact]
    public void Save_then_load_returns_bit_identical_tensors_and_verbatim_state_and_config()
    {
        using var state = new TrainingState(seed: 1);
        var saved = Save(100, state);

        using var loaded = _store.Load(100);
        AssertHolds(loaded, state);
        Assert.Equal(TrainerStateJson, loaded.TrainerStateJson);
        Assert.Equal(409600, (long)loaded.ParseTrainerState()["tokens_seen"]!);
        Assert.Equal(TrainingState.TinyConfig.ToJson(), loaded.Config.ToJson());
        Assert.Equal(saved, loaded.Info);
        Assert.Equal(Path.Combine(_store.Root, "step-00000100"), saved.Path);
        Assert.Equal(Directory.EnumerateFiles(saved.Path).Sum(f => new FileInfo(f).Length), saved.Bytes);
    }

    [Fact]
    public void Model_weights_restored_into_a_fresh_model_match_the_saved_ones()
    {
        using var state = new TrainingState(seed: 2);
        Save(100, state);
        using var fresh = new Llama.Core.Model.LlamaModel(TrainingState.TinyConfig);
        fresh.InitializeWeights(seed: 99);

        using (var loaded = _store.Load(100)) loaded.LoadWeightsInto(fresh);

        var restored = fresh.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, weight) in state.Weights) TensorBytes.AssertIdentical(weight, restored[name], name);
    }

    [Fact]
    public void Checkpoint_folder_loads_as_a_hugging_face_model_directory()
    {
        using var state = new TrainingState(seed: 3);
        var saved = Save(100, state);

        using var model = LlamaDirectory.Load(saved.Path);

        var loaded = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, weight) in state.Weights) TensorBytes.AssertIdentical(weight, loaded[name], name);
    }

    [Fact]
    public void Latest_is_the_highest_complete_step_and_list_is_in_step_order()
    {
        using var state = new TrainingState(seed: 4);
        foreach (var step in new long[] { 100, 1000, 200 }) Save(step, state);

        Assert.Equal([100L, 200L, 1000L], _store.List().Select(c => c.Step));
        Assert.Equal(1000, _store.Latest()!.Step);
    }

    [Fact]
    public void An_empty_root_has_no_latest_checkpoint()
    {
        Assert.Empty(_store.List());
        Assert.Null(_store.Latest());
        Assert.Null(_store.LoadLatest());
    }

    [Fact]
    public void Partial_and_unmarked_folders_are_not_checkpoints()
    {
        using var state = new TrainingState(seed: 5);
        var saved = Save(100, state);
        // What a crash leaves: a finished-looking folder still under its partial name, and a renamed one without
        // its marker (a half-done rename on a file system that does not order it).
        CopyFolder(saved.Path, Path.Combine(_store.Root, "step-00000200.partial-0123456789abcdef"));
        CopyFolder(saved.Path, Path.Combine(_store.Root, "step-00000300"));
        File.Delete(Path.Combine(_store.Root, "step-00000300", TrainingCheckpointFiles.CompleteMarkerFileName));

        Assert.Equal([100L], _store.List().Select(c => c.Step));
        using (var latest = _store.LoadLatest()) Assert.Equal(100, latest!.Info.Step);
        var notFound = Assert.Throws<TrainingCheckpointNotFoundException>(() => _store.Load(300));
        Assert.Equal([100L], notFound.AvailableSteps);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("optimizer")]
    public void A_save_that_fails_part_way_leaves_the_previous_checkpoint_loadable(string failingPart)
    {
        using var first = new TrainingState(seed: 6);
        Save(100, first);
        using var second = new TrainingState(seed: 7);
        var model = failingPart == "model" ? FailAfter(second.Weights, 3) : second.Weights;
        var optimizer = failingPart == "optimizer" ? FailAfter(second.Optimizer, 3) : second.Optimizer;

        var error = Assert.Throws<IOException>(() => _store.Save(200, model, optimizer, TrainerStateJson, TrainingState.TinyConfig));

        Assert.Equal("simulated disk failure", error.Message);
        Assert.Equal(100, _store.Latest()!.Step);
        using (var latest = _store.LoadLatest()!) AssertHolds(latest, first);
        Assert.Equal(["step-00000100"], Directory.EnumerateFileSystemEntries(_store.Root).Select(Path.GetFileName));
    }

    [Fact]
    public void Saving_a_step_again_replaces_its_checkpoint()
    {
        using var before = new TrainingState(seed: 8);
        using var after = new TrainingState(seed: 9);
        Save(100, before, "{\"version\": 1}");

        Save(100, after, "{\"version\": 2}");

        using var loaded = _store.Load(100);
        AssertHolds(loaded, after);
        Assert.Equal("{\"version\": 2}", loaded.TrainerStateJson);
        Assert.Equal(["step-00000100"], Directory.EnumerateFileSystemEntries(_store.Root).Select(Path.GetFileName));
    }

    [Fact]
    public void Prune_keeps_the_newest_and_the_requested_steps_and_removes_unfinished_folders()
    {
        using var state = new TrainingState(seed: 10);
        foreach (var step in new long[] { 100, 200, 300, 400, 500 }) Save(step, state);
        var stale = Path.Combine(_store.Root, "step-00000600.partial-0123456789abcdef");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, TrainingCheckpointFiles.ModelFileName), "half a file");

        var deleted = _store.Prune(keepLast: 2, keepSteps: [200]);

        Assert.Equal([200L, 400L, 500L], _store.List().Select(c => c.Step));
        Assert.Equal([stale, Path.Combine(_store.Root, "step-00000100"), Path.Combine(_store.Root, "step-00000300")], deleted);
        Assert.Equal(["step-00000200", "step-00000400", "step-00000500"],
            Directory.EnumerateFileSystemEntries(_store.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var kept = _store.Load(200);
        AssertHolds(kept, state);
    }

    [Fact]
    public void A_damaged_tensor_file_is_reported_naming_the_file()
    {
        using var state = new TrainingState(seed: 11);
        var saved = Save(100, state);
        var optimizerPath = Path.Combine(saved.Path, TrainingCheckpointFiles.OptimizerFileName);
        FlipLastByte(optimizerPath);

        var error = Assert.Throws<CorruptTrainingCheckpointException>(() => _store.Load(100));

        Assert.Equal(optimizerPath, error.FilePath);
        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_naming_the_file()
    {
        using var state = new TrainingState(seed: 12);
        var saved = Save(100, state);
        var statePath = Path.Combine(saved.Path, TrainingCheckpointFiles.TrainerStateFileName);
        File.Delete(statePath);

        var error = Assert.Throws<CorruptTrainingCheckpointException>(() => _store.Load(100, verifyChecksums: false));

        Assert.Equal(statePath, error.FilePath);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void A_truncated_tensor_file_is_a_format_error_naming_the_file_even_without_checksums()
    {
        using var state = new TrainingState(seed: 13);
        var saved = Save(100, state);
        var modelPath = Path.Combine(saved.Path, TrainingCheckpointFiles.ModelFileName);
        using (var file = new FileStream(modelPath, FileMode.Open)) file.SetLength(file.Length / 2);

        var error = Assert.Throws<SafetensorsFormatException>(() => _store.Load(100, verifyChecksums: false));

        Assert.Equal(modelPath, error.FilePath);
    }

    [Fact]
    public void An_unknown_step_is_reported_with_the_steps_that_exist()
    {
        using var state = new TrainingState(seed: 14);
        Save(100, state);
        Save(200, state);

        var error = Assert.Throws<TrainingCheckpointNotFoundException>(() => _store.Load(150));

        Assert.Equal(150, error.Step);
        Assert.Contains("complete steps: 100, 200", error.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    public void A_trainer_state_that_is_not_a_json_object_is_refused_before_anything_is_written(string trainerState)
    {
        using var state = new TrainingState(seed: 15);

        Assert.Throws<ArgumentException>(() => Save(100, state, trainerState));

        Assert.False(Directory.Exists(_store.Root) && Directory.EnumerateFileSystemEntries(_store.Root).Any());
    }

    private static IEnumerable<KeyValuePair<string, Tensor>> FailAfter(IEnumerable<KeyValuePair<string, Tensor>> tensors, int count)
    {
        foreach (var pair in tensors.Take(count)) yield return pair;
        throw new IOException("simulated disk failure");
    }

    private static void FlipLastByte(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Seek(-1, SeekOrigin.End);
        var last = file.ReadByte();
        file.Seek(-1, SeekOrigin.End);
        file.WriteByte((byte)(last ^ 0x01));
    }

    private static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source)) File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
    }
}
