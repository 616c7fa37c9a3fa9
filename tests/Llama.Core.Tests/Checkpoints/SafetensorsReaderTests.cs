using System.Buffers.Binary;
using System.Text.Json;
using Llama.Core.Checkpoints;
using TorchSharp;

namespace Llama.Core.Tests.Checkpoints;

public class SafetensorsReaderTests
{
    private static string HfModel => Path.Combine(Fixtures.HfTiny, "model.safetensors");

    [Fact]
    public void Reads_names_of_the_transformers_fixture_in_storage_order()
    {
        using var reader = SafetensorsReader.Open(HfModel);

        // embed, final norm, lm_head, and 9 tensors for each of the 2 layers.
        Assert.Equal(21, reader.Names.Count);
        Assert.Equal("lm_head.weight", reader.Names[0]);
        Assert.Contains("model.layers.1.mlp.down_proj.weight", reader.Names);
        var begins = reader.Names.Select(name => reader.GetInfo(name).DataBegin).ToList();
        Assert.Equal(begins.Order(), begins);
    }

    [Fact]
    public void Reads_dtype_and_shape_of_the_embedding()
    {
        using var reader = SafetensorsReader.Open(HfModel);

        var info = reader.GetInfo("model.embed_tokens.weight");

        Assert.Equal(SafetensorsDtype.F32, info.Dtype);
        Assert.Equal([512L, 64L], info.Shape);
        Assert.Equal(512 * 64 * 4, info.ByteLength);
    }

    [Fact]
    public void Reads_the_format_metadata_transformers_writes()
    {
        using var reader = SafetensorsReader.Open(HfModel);

        Assert.Equal("pt", reader.Metadata["format"]);
    }

    [Fact]
    public void Tensor_values_match_bytes_parsed_independently()
    {
        var json = SafetensorsFiles.ReadHeaderJson(HfModel, out var dataStart);
        var offsets = JsonDocument.Parse(json).RootElement.GetProperty("model.embed_tokens.weight").GetProperty("data_offsets");
        var fileBytes = File.ReadAllBytes(HfModel);
        float Expected(int row, int column) => BinaryPrimitives.ReadSingleLittleEndian(
            fileBytes.AsSpan((int)(dataStart + offsets[0].GetInt64() + (row * 64 + column) * 4)));

        using var reader = SafetensorsReader.Open(HfModel);
        using var embedding = reader.ReadTensor("model.embed_tokens.weight");

        Assert.Equal(torch.ScalarType.Float32, embedding.dtype);
        Assert.Equal([512L, 64L], embedding.shape);
        foreach (var (row, column) in new[] { (0, 0), (1, 3), (255, 17), (511, 63) })
        {
            Assert.Equal(Expected(row, column), embedding[row, column].item<float>());
        }
        Assert.NotEqual(Expected(0, 0), Expected(511, 63));
    }

    [Fact]
    public void GetBytes_is_the_stored_data_without_copy()
    {
        using var reader = SafetensorsReader.Open(HfModel);
        var info = reader.GetInfo("model.norm.weight");
        SafetensorsFiles.ReadHeaderJson(HfModel, out var dataStart);
        var expected = File.ReadAllBytes(HfModel).AsSpan((int)(dataStart + info.DataBegin), (int)info.ByteLength).ToArray();

        Assert.Equal(expected, reader.GetBytes("model.norm.weight").ToArray());
    }

    [Fact]
    public void CopyInto_converts_a_bf16_file_tensor_into_an_f32_parameter()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("bf16.safetensors");
        using var source = torch.tensor(new float[] { 1.5f, -2f, 3.25f, 1e-3f, 65504f, -0.5f }).reshape(2, 3).to(torch.ScalarType.BFloat16);
        SafetensorsWriter.Write(path, [KeyValuePair.Create("w", source)]);
        using var parameter = new TorchSharp.Modules.Parameter(torch.zeros(2, 3));

        using (var reader = SafetensorsReader.Open(path))
        {
            reader.CopyInto("w", parameter);
        }

        using var expected = source.to(torch.ScalarType.Float32);
        Assert.Equal(torch.ScalarType.Float32, parameter.dtype);
        Assert.True(parameter.requires_grad);
        TensorAssert.ValuesEqual(expected, parameter);
    }

    [Fact]
    public void CopyInto_a_same_dtype_contiguous_tensor_copies_the_stored_values()
    {
        using var reader = SafetensorsReader.Open(HfModel);
        using var destination = torch.zeros(512, 64);

        reader.CopyInto("lm_head.weight", destination);

        using var expected = reader.ReadTensor("lm_head.weight");
        TensorAssert.ValuesEqual(expected, destination);
    }

    [Fact]
    public void CopyInto_a_non_contiguous_view_fills_it_in_logical_order()
    {
        using var reader = SafetensorsReader.Open(HfModel);
        using var storage = torch.zeros(64, 512);
        using var transposedView = storage.t();

        reader.CopyInto("lm_head.weight", transposedView);

        using var expected = reader.ReadTensor("lm_head.weight");
        TensorAssert.ValuesEqual(expected, transposedView);
    }

    [Fact]
    public void Chunked_copies_match_a_single_copy()
    {
        // Tensors above 1 GiB are copied in slices; a 7-byte slice size runs that path on a small tensor.
        using var reader = SafetensorsReader.Open(HfModel);
        using var whole = reader.ReadTensor("model.layers.0.self_attn.k_proj.weight");
        using var chunked = torch.empty(whole.shape, whole.dtype);
        var bytes = reader.GetBytes("model.layers.0.self_attn.k_proj.weight").ToArray();
        TensorMemory.CopyInto(bytes, chunked, chunkBytes: 7);
        using var written = new MemoryStream();
        TensorMemory.WriteTo(chunked, written, chunkBytes: 12);

        TensorAssert.ValuesEqual(whole, chunked);
        Assert.Equal(bytes, written.ToArray());
    }
}
