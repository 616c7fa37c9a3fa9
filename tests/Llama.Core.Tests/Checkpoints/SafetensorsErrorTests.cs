using Llama.Core.Checkpoints;
using TorchSharp;

namespace Llama.Core.Tests.Checkpoints;

/// <summary>Malformed files and misuse give typed exceptions naming file and tensor, never a crash.</summary>
public class SafetensorsErrorTests
{
    private static SafetensorsFormatException OpenFails(string path) =>
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Open(path).Dispose());

    [Fact]
    public void File_truncated_in_the_data_names_the_first_tensor_cut_off()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("truncated.safetensors");
        var original = File.ReadAllBytes(Path.Combine(Fixtures.HfTiny, "model.safetensors"));
        // Header (8 + 2144 bytes) plus the whole lm_head (131072 bytes) and part of the embedding.
        File.WriteAllBytes(path, original[..(8 + 2144 + 131072 + 1000)]);

        var error = OpenFails(path);

        Assert.Contains("truncated.safetensors", error.Message);
        Assert.Contains("model.embed_tokens.weight", error.Message);
        Assert.Equal("model.embed_tokens.weight", error.TensorName);
    }

    [Fact]
    public void File_truncated_in_the_header_names_the_file()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("short-header.safetensors");
        File.WriteAllBytes(path, File.ReadAllBytes(Path.Combine(Fixtures.HfTiny, "model.safetensors"))[..100]);

        var error = OpenFails(path);

        Assert.Contains("short-header.safetensors", error.Message);
        Assert.Contains("header length", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void File_shorter_than_the_length_prefix_is_rejected(int length)
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("tiny.safetensors");
        File.WriteAllBytes(path, new byte[length]);

        Assert.Contains("tiny.safetensors", OpenFails(path).Message);
    }

    [Fact]
    public void Offsets_past_the_end_of_the_file_are_rejected()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("lying.safetensors");
        SafetensorsFiles.WriteRaw(path, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", dataBytes: 16);

        var error = OpenFails(path);

        Assert.Contains("lying.safetensors", error.Message);
        Assert.Contains("'b'", error.Message);
        Assert.Contains("past the end", error.Message);
    }

    [Fact]
    public void Overlapping_offsets_are_rejected_naming_both_tensors()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("overlap.safetensors");
        SafetensorsFiles.WriteRaw(path, """{"first":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"second":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", dataBytes: 16);

        var error = OpenFails(path);

        Assert.Contains("overlap.safetensors", error.Message);
        Assert.Contains("'second'", error.Message);
        Assert.Contains("overlap tensor 'first'", error.Message);
    }

    [Fact]
    public void Begin_after_end_is_rejected()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("reversed.safetensors");
        SafetensorsFiles.WriteRaw(path, """{"w":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}}""", dataBytes: 8);

        var error = OpenFails(path);

        Assert.Contains("reversed.safetensors", error.Message);
        Assert.Contains("'w'", error.Message);
    }

    [Fact]
    public void Holes_and_trailing_bytes_are_rejected_like_the_reference_reader()
    {
        using var directory = new TemporaryDirectory();
        var hole = directory.File("hole.safetensors");
        var trailing = directory.File("trailing.safetensors");
        SafetensorsFiles.WriteRaw(hole, """{"w":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}""", dataBytes: 8);
        SafetensorsFiles.WriteRaw(trailing, """{"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}""", dataBytes: 8);

        Assert.Contains("hole", OpenFails(hole).Message);
        Assert.Contains("belong to no tensor", OpenFails(trailing).Message);
    }

    [Fact]
    public void Unknown_dtype_is_rejected_naming_the_tensor_and_dtype()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("dtype.safetensors");
        SafetensorsFiles.WriteRaw(path, """{"w":{"dtype":"F12","shape":[2],"data_offsets":[0,4]}}""", dataBytes: 4);

        var error = OpenFails(path);

        Assert.Contains("dtype.safetensors", error.Message);
        Assert.Contains("'w'", error.Message);
        Assert.Contains("F12", error.Message);
    }

    [Fact]
    public void Shape_that_disagrees_with_the_byte_count_is_rejected()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("shape.safetensors");
        SafetensorsFiles.WriteRaw(path, """{"w":{"dtype":"BF16","shape":[3,2],"data_offsets":[0,8]}}""", dataBytes: 8);

        var error = OpenFails(path);

        Assert.Contains("'w'", error.Message);
        Assert.Contains("needs 12 bytes", error.Message);
    }

    [Theory]
    [InlineData("{\"w\": {\"dtype\": \"F32\", ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"__metadata__\":{\"n\":1}}")]
    public void Malformed_header_json_is_rejected(string header)
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("json.safetensors");
        SafetensorsFiles.WriteRaw(path, header, dataBytes: 4);

        Assert.Contains("json.safetensors", OpenFails(path).Message);
    }

    [Fact]
    public void Missing_tensor_names_the_file_and_the_tensor()
    {
        using var reader = SafetensorsReader.Open(Path.Combine(Fixtures.HfTiny, "model.safetensors"));

        var error = Assert.Throws<TensorNotFoundException>(() => reader.ReadTensor("model.layers.7.mlp.up_proj.weight"));

        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("model.layers.7.mlp.up_proj.weight", error.Message);
        Assert.False(reader.Contains("model.layers.7.mlp.up_proj.weight"));
    }

    [Fact]
    public void CopyInto_a_tensor_of_another_shape_names_both_shapes()
    {
        using var reader = SafetensorsReader.Open(Path.Combine(Fixtures.HfTiny, "model.safetensors"));
        using var destination = torch.zeros(64, 512);

        var error = Assert.Throws<TensorShapeMismatchException>(() => reader.CopyInto("model.embed_tokens.weight", destination));

        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("model.embed_tokens.weight", error.Message);
        Assert.Contains("[512, 64]", error.Message);
        Assert.Contains("[64, 512]", error.Message);
        Assert.Equal(0f, destination.abs().sum().item<float>());
    }

    [Fact]
    public void Writer_rejects_duplicate_names()
    {
        using var directory = new TemporaryDirectory();
        using var a = torch.ones(2);

        var error = Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(directory.File("d.safetensors"), [KeyValuePair.Create("w", a), KeyValuePair.Create("w", a)]));

        Assert.Contains("'w'", error.Message);
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void Writer_rejects_raw_bytes_that_do_not_match_dtype_and_shape()
    {
        using var directory = new TemporaryDirectory();

        var error = Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(directory.File("r.safetensors"), [new SafetensorsEntry("codes", SafetensorsDtype.F8_E4M3, [2, 3], new byte[5])]));

        Assert.Contains("'codes'", error.Message);
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void Writer_rejects_dtypes_safetensors_cannot_hold()
    {
        using var directory = new TemporaryDirectory();
        using var complex = torch.zeros(2, dtype: torch.ScalarType.ComplexFloat32);

        var error = Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(directory.File("c.safetensors"), [KeyValuePair.Create("z", complex)]));

        Assert.Contains("'z'", error.Message);
    }
}
