using System.Text.Json;
using Llama.Core.Checkpoints;
using TorchSharp;

namespace Llama.Core.Tests.Checkpoints;

public class HfCheckpointTests
{
    /// <summary>The fixture's tensors, in the fixture's storage order (caller disposes via the scope).</summary>
    private static List<KeyValuePair<string, torch.Tensor>> FixtureTensors(SafetensorsReader reader) =>
        reader.Names.Select(name => KeyValuePair.Create(name, reader.ReadTensor(name))).ToList();

    private static SafetensorsReader OpenFixture() => SafetensorsReader.Open(Path.Combine(Fixtures.HfTiny, "model.safetensors"));

    [Fact]
    public void Reads_a_single_file_directory_like_its_file()
    {
        using var directoryReader = HfCheckpointReader.Open(Fixtures.HfTiny);
        using var fileReader = OpenFixture();

        Assert.Equal(fileReader.Names, directoryReader.Names);
        using var fromDirectory = directoryReader.ReadTensor("model.norm.weight");
        using var fromFile = fileReader.ReadTensor("model.norm.weight");
        TensorAssert.ValuesEqual(fromFile, fromDirectory);
    }

    [Fact]
    public void Sharded_save_reads_back_equal_to_the_single_file()
    {
        using var directory = new TemporaryDirectory();
        using var fixture = OpenFixture();
        using (var scope = torch.NewDisposeScope())
        {
            // The 131072-byte embedding and head, then layers of ~100 KB each: several shards.
            HfCheckpointWriter.Write(directory.Path, FixtureTensors(fixture), maxShardBytes: 200_000);
        }

        using var sharded = HfCheckpointReader.Open(directory.Path);

        Assert.True(sharded.FilePaths.Count > 2);
        Assert.Equal(fixture.Names.Order(), sharded.Names.Order());
        foreach (var name in fixture.Names)
        {
            Assert.Equal(fixture.GetInfo(name).Shape, sharded.GetInfo(name).Shape);
            using var expected = fixture.ReadTensor(name);
            using var actual = sharded.ReadTensor(name);
            Assert.Equal(expected.bytes.ToArray(), actual.bytes.ToArray());
        }
    }

    [Fact]
    public void Sharded_save_writes_transformers_file_names_and_index()
    {
        using var directory = new TemporaryDirectory();
        using var fixture = OpenFixture();
        IReadOnlyList<string> files;
        using (var scope = torch.NewDisposeScope())
        {
            files = HfCheckpointWriter.Write(directory.Path, FixtureTensors(fixture), maxShardBytes: 200_000);
        }

        var index = JsonDocument.Parse(File.ReadAllText(directory.File("model.safetensors.index.json"))).RootElement;
        var weightMap = index.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var count = files.Count;

        Assert.Equal(Enumerable.Range(1, count).Select(i => $"model-{i:D5}-of-{count:D5}.safetensors"), files);
        Assert.Equal(fixture.Names.Sum(n => fixture.GetInfo(n).ByteLength), index.GetProperty("metadata").GetProperty("total_size").GetInt64());
        Assert.Equal(fixture.Names.Order(), weightMap.Keys.Order());
        foreach (var (tensor, file) in weightMap)
        {
            using var shard = SafetensorsReader.Open(directory.File(file));
            Assert.True(shard.Contains(tensor), $"{file} lacks {tensor}");
            Assert.Equal("pt", shard.Metadata["format"]);
        }
        Assert.False(File.Exists(directory.File("model.safetensors")));
    }

    [Fact]
    public void Shards_keep_the_given_order_and_never_split_a_tensor()
    {
        using var directory = new TemporaryDirectory();
        using var scope = torch.NewDisposeScope();
        // 40, 40, 120 (over the limit: alone), 40 bytes with a 100-byte limit.
        var tensors = new List<KeyValuePair<string, torch.Tensor>>
        {
            KeyValuePair.Create("z.first", torch.ones(10)),
            KeyValuePair.Create("a.second", torch.ones(10)),
            KeyValuePair.Create("m.huge", torch.ones(30)),
            KeyValuePair.Create("b.last", torch.ones(10)),
        };

        var files = HfCheckpointWriter.Write(directory.Path, tensors, maxShardBytes: 100);
        using var reader = HfCheckpointReader.Open(directory.Path);

        Assert.Equal(3, files.Count);
        Assert.Equal(directory.File(files[0]), reader.FilePathOf("z.first"));
        Assert.Equal(directory.File(files[0]), reader.FilePathOf("a.second"));
        Assert.Equal(directory.File(files[1]), reader.FilePathOf("m.huge"));
        Assert.Equal(directory.File(files[2]), reader.FilePathOf("b.last"));
    }

    [Fact]
    public void Save_that_fits_writes_one_model_safetensors_with_format_pt()
    {
        using var directory = new TemporaryDirectory();
        using var fixture = OpenFixture();
        using (var scope = torch.NewDisposeScope())
        {
            HfCheckpointWriter.Write(directory.Path, FixtureTensors(fixture));
        }

        Assert.Equal(["model.safetensors"], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
        // Same tensors and metadata as transformers wrote: the same bytes.
        Assert.Equal(File.ReadAllBytes(Path.Combine(Fixtures.HfTiny, "model.safetensors")), File.ReadAllBytes(directory.File("model.safetensors")));
    }

    [Fact]
    public void Saving_again_removes_the_weight_files_of_the_previous_save()
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("config.json"), "{}");
        using var scope = torch.NewDisposeScope();
        var tensors = Enumerable.Range(0, 6).Select(i => KeyValuePair.Create($"t{i}", torch.full(25, i))).ToList();

        HfCheckpointWriter.Write(directory.Path, tensors, maxShardBytes: 100);
        var shardedFiles = Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order().ToList();
        HfCheckpointWriter.Write(directory.Path, tensors.Take(2));
        var singleFiles = Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order().ToList();
        HfCheckpointWriter.Write(directory.Path, tensors.Take(3), maxShardBytes: 100);
        var reshardedFiles = Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order().ToList();

        Assert.Equal(8, shardedFiles.Count);
        Assert.Equal(["config.json", "model.safetensors"], singleFiles);
        Assert.Equal(["config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors", "model.safetensors.index.json"], reshardedFiles);
        using var reader = HfCheckpointReader.Open(directory.Path);
        Assert.Equal(["t0", "t1", "t2"], reader.Names);
    }

    [Fact]
    public void CopyInto_works_across_shards()
    {
        using var directory = new TemporaryDirectory();
        using var scope = torch.NewDisposeScope();
        var tensors = Enumerable.Range(0, 3).Select(i => KeyValuePair.Create($"t{i}", torch.full(25, i + 1, dtype: torch.ScalarType.BFloat16))).ToList();
        HfCheckpointWriter.Write(directory.Path, tensors, maxShardBytes: 50);
        using var reader = HfCheckpointReader.Open(directory.Path);
        var destination = torch.zeros(25);

        reader.CopyInto("t2", destination);

        Assert.Equal(3, reader.FilePaths.Count);
        Assert.Equal(75f, destination.sum().item<float>());
    }

    [Fact]
    public void Index_naming_a_missing_shard_names_the_shard_and_a_tensor()
    {
        using var directory = new TemporaryDirectory();
        using (var scope = torch.NewDisposeScope())
        {
            HfCheckpointWriter.Write(directory.Path, [KeyValuePair.Create("a", torch.ones(25)), KeyValuePair.Create("b", torch.ones(25))], maxShardBytes: 100);
        }
        File.Delete(directory.File("model-00002-of-00002.safetensors"));

        var error = Assert.Throws<CheckpointIndexException>(() => HfCheckpointReader.Open(directory.Path).Dispose());

        Assert.Contains("model-00002-of-00002.safetensors", error.Message);
        Assert.Contains("'b'", error.Message);
    }

    [Fact]
    public void Index_naming_a_tensor_its_shard_lacks_names_both()
    {
        using var directory = new TemporaryDirectory();
        using (var scope = torch.NewDisposeScope())
        {
            HfCheckpointWriter.Write(directory.Path, [KeyValuePair.Create("a", torch.ones(25)), KeyValuePair.Create("b", torch.ones(25))], maxShardBytes: 100);
        }
        var indexPath = directory.File("model.safetensors.index.json");
        File.WriteAllText(indexPath, File.ReadAllText(indexPath).Replace("\"b\": \"model-00002", "\"b\": \"model-00001"));

        var error = Assert.Throws<CheckpointIndexException>(() => HfCheckpointReader.Open(directory.Path).Dispose());

        Assert.Contains("model-00001-of-00002.safetensors", error.Message);
        Assert.Contains("'b'", error.Message);
    }

    [Fact]
    public void Missing_tensor_across_shards_names_the_index_and_tensor()
    {
        using var directory = new TemporaryDirectory();
        using (var scope = torch.NewDisposeScope())
        {
            HfCheckpointWriter.Write(directory.Path, [KeyValuePair.Create("a", torch.ones(25)), KeyValuePair.Create("b", torch.ones(25))], maxShardBytes: 100);
        }
        using var reader = HfCheckpointReader.Open(directory.Path);

        var error = Assert.Throws<TensorNotFoundException>(() => reader.GetInfo("c"));

        Assert.Contains("model.safetensors.index.json", error.Message);
        Assert.Contains("'c'", error.Message);
    }

    [Fact]
    public void Directory_without_weights_is_rejected()
    {
        using var directory = new TemporaryDirectory();

        var error = Assert.Throws<CheckpointIndexException>(() => HfCheckpointReader.Open(directory.Path).Dispose());

        Assert.Contains(directory.Path, error.Message);
        Assert.Contains("model.safetensors", error.Message);
    }

    [Fact]
    public void Index_with_a_path_instead_of_a_file_name_is_rejected()
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("model.safetensors.index.json"), """{"metadata": {"total_size": 4}, "weight_map": {"w": "../elsewhere.safetensors"}}""");

        var error = Assert.Throws<CheckpointIndexException>(() => HfCheckpointReader.Open(directory.Path).Dispose());

        Assert.Contains("'w'", error.Message);
        Assert.Contains("../elsewhere.safetensors", error.Message);
    }

    [Theory]
    [InlineData(new long[] { }, 10, new[] { 0 })]
    [InlineData(new long[] { 4, 4, 4 }, 10, new[] { 2, 1 })]
    [InlineData(new long[] { 4, 20, 4 }, 10, new[] { 1, 1, 1 })]
    [InlineData(new long[] { 20, 4, 4 }, 10, new[] { 1, 2 })]
    [InlineData(new long[] { 5, 5, 5 }, 10, new[] { 2, 1 })]
    public void Shard_plan_fills_shards_in_order_up_to_the_limit(long[] sizes, long limit, int[] tensorsPerShard)
    {
        var plan = HfShardPlan.Split(sizes, limit);

        Assert.Equal(tensorsPerShard, plan.Select(range => range.GetOffsetAndLength(sizes.Length).Length));
    }
}
