using System.Text.Json;
using Llama.Core.Checkpoints;
using TorchSharp;

namespace Llama.Core.Tests.Checkpoints;

public class SafetensorsRoundTripTests
{
    public static TheoryData<string, string> FixtureFiles => new()
    {
        { "hf-llama3-tiny", "model.safetensors" },     // F32, with __metadata__
        { "hf-llama3-tiny", "reference.safetensors" }, // I64 and F32
        { "fp8", "reference.safetensors" },            // F32 and U8, no metadata
    };

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void Rewriting_every_tensor_of_a_python_written_file_gives_the_same_file(string folder, string file)
    {
        var original = Path.Combine(Fixtures.Root, folder, file);
        using var directory = new TemporaryDirectory();
        var copy = directory.File(file);

        using (var reader = SafetensorsReader.Open(original))
        using (var scope = torch.NewDisposeScope())
        {
            // Shuffled input: the writer must restore the Python library's order itself.
            var tensors = reader.Names.Reverse().Select(name => KeyValuePair.Create(name, reader.ReadTensor(name))).ToList();
            SafetensorsWriter.Write(copy, tensors, reader.Metadata);
        }

        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(copy));
    }

    [Fact]
    public void Rewriting_raw_entries_gives_the_same_file()
    {
        var original = Path.Combine(Fixtures.Fp8, "reference.safetensors");
        using var directory = new TemporaryDirectory();
        var copy = directory.File("copy.safetensors");

        using (var reader = SafetensorsReader.Open(original))
        {
            var entries = reader.Names.Select(name =>
            {
                var info = reader.GetInfo(name);
                return new SafetensorsEntry(name, info.Dtype, info.Shape, reader.GetBytes(name).ToArray());
            }).ToList();
            SafetensorsWriter.Write(copy, entries, reader.Metadata);
        }

        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(copy));
    }

    [Theory]
    [InlineData(torch.ScalarType.BFloat16, SafetensorsDtype.BF16)]
    [InlineData(torch.ScalarType.Float16, SafetensorsDtype.F16)]
    [InlineData(torch.ScalarType.Float64, SafetensorsDtype.F64)]
    [InlineData(torch.ScalarType.Int64, SafetensorsDtype.I64)]
    [InlineData(torch.ScalarType.Int32, SafetensorsDtype.I32)]
    [InlineData(torch.ScalarType.Int16, SafetensorsDtype.I16)]
    [InlineData(torch.ScalarType.Int8, SafetensorsDtype.I8)]
    [InlineData(torch.ScalarType.Byte, SafetensorsDtype.U8)]
    [InlineData(torch.ScalarType.Bool, SafetensorsDtype.BOOL)]
    [InlineData((torch.ScalarType)24, SafetensorsDtype.F8_E4M3)]
    [InlineData((torch.ScalarType)23, SafetensorsDtype.F8_E5M2)]
    public void Tensor_round_trips_bit_for_bit(torch.ScalarType scalarType, SafetensorsDtype expectedDtype)
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("t.safetensors");
        using var scope = torch.NewDisposeScope();
        // Values within every type's range (fp8 e4m3fn saturates at 448), with signs, fractions and zeros.
        var original = (torch.linspace(-100, 100, 3 * 5 * 7) * 1.37).reshape(3, 5, 7);
        original = scalarType == torch.ScalarType.Byte ? original.abs().to(scalarType) : original.to(scalarType);

        SafetensorsWriter.Write(path, [KeyValuePair.Create("t", original)]);
        using var reader = SafetensorsReader.Open(path);
        var read = reader.ReadTensor("t");

        Assert.Equal(expectedDtype, reader.GetInfo("t").Dtype);
        Assert.Equal(scalarType, read.dtype);
        Assert.Equal([3L, 5L, 7L], read.shape);
        Assert.Equal(original.bytes.ToArray(), read.bytes.ToArray());
    }

    [Theory]
    [InlineData("e4m3fn_bytes", "e4m3fn_decoded", SafetensorsDtype.F8_E4M3)]
    [InlineData("e5m2_bytes", "e5m2_decoded", SafetensorsDtype.F8_E5M2)]
    public void Fp8_codes_from_pytorch_decode_to_pytorchs_values(string codesName, string decodedName, SafetensorsDtype dtype)
    {
        using var fixture = SafetensorsReader.Open(Path.Combine(Fixtures.Fp8, "reference.safetensors"));
        using var directory = new TemporaryDirectory();
        var path = directory.File("fp8.safetensors");
        var codes = fixture.GetBytes(codesName).ToArray();
        SafetensorsWriter.Write(path, [new SafetensorsEntry("w", dtype, fixture.GetInfo(codesName).Shape, codes)]);

        using var reader = SafetensorsReader.Open(path);
        using var scope = torch.NewDisposeScope();
        var fp8 = reader.ReadTensor("w");
        var decoded = fp8.to(torch.ScalarType.Float32);
        var expected = fixture.ReadTensor(decodedName);

        Assert.Equal(dtype.ToScalarType(), fp8.dtype);
        Assert.Equal(codes, reader.GetBytes("w").ToArray());
        TensorAssert.ValuesEqual(expected.isnan(), decoded.isnan());
        TensorAssert.ValuesEqual(expected.nan_to_num(0), decoded.nan_to_num(0));
    }

    [Fact]
    public void Fp8_tensors_cast_by_torchsharp_are_written_as_f8_e4m3()
    {
        using var fixture = SafetensorsReader.Open(Path.Combine(Fixtures.Fp8, "reference.safetensors"));
        using var directory = new TemporaryDirectory();
        var path = directory.File("fp8.safetensors");
        using var scope = torch.NewDisposeScope();
        var values = fixture.ReadTensor("values");
        // The cast does not saturate (500 -> NaN), so clamp first as PyTorch's quantizers do.
        var fp8 = values.clamp(-448, 448).to(SafetensorsDtype.F8_E4M3.ToScalarType());

        SafetensorsWriter.Write(path, [KeyValuePair.Create("w", fp8)]);
        using var reader = SafetensorsReader.Open(path);

        Assert.Equal(SafetensorsDtype.F8_E4M3, reader.GetInfo("w").Dtype);
        Assert.Equal(fixture.GetBytes("e4m3fn_bytes").ToArray(), reader.GetBytes("w").ToArray());
    }

    [Fact]
    public void Non_contiguous_tensors_are_written_in_logical_order()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("t.safetensors");
        using var scope = torch.NewDisposeScope();
        var transposed = torch.arange(12, dtype: torch.ScalarType.Float32).reshape(3, 4).t();

        SafetensorsWriter.Write(path, [KeyValuePair.Create("t", transposed)]);
        using var reader = SafetensorsReader.Open(path);

        TensorAssert.ValuesEqual(transposed, reader.ReadTensor("t"));
    }

    [Fact]
    public void Header_is_space_padded_to_8_bytes_and_uses_the_python_schema()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("t.safetensors");
        using var scope = torch.NewDisposeScope();

        SafetensorsWriter.Write(path,
            [KeyValuePair.Create("b", torch.ones(3, dtype: torch.ScalarType.Int8)), KeyValuePair.Create("a", torch.ones(2, 2))],
            new Dictionary<string, string> { ["note"] = "quote \" and\nnewline" });
        var json = SafetensorsFiles.ReadHeaderJson(path, out var dataStart);

        Assert.Equal(0, dataStart % 8);
        Assert.StartsWith(
            "{\"__metadata__\":{\"note\":\"quote \\\" and\\nnewline\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}," +
            "\"b\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[16,19]}}", json);
        Assert.Equal(json[..(json.LastIndexOf('}') + 1)], json.TrimEnd(' '));
        Assert.Equal("quote \" and\nnewline", JsonDocument.Parse(json).RootElement.GetProperty("__metadata__").GetProperty("note").GetString());
    }

    [Fact]
    public void Scalars_and_empty_tensors_round_trip()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("t.safetensors");
        using var scope = torch.NewDisposeScope();
        var scalar = torch.tensor(2.5f);
        var empty = torch.zeros(0, 4);

        SafetensorsWriter.Write(path, [KeyValuePair.Create("scalar", scalar), KeyValuePair.Create("empty", empty)]);
        using var reader = SafetensorsReader.Open(path);

        Assert.Empty(reader.GetInfo("scalar").Shape);
        Assert.Equal(2.5f, reader.ReadTensor("scalar").item<float>());
        Assert.Equal([0L, 4L], reader.ReadTensor("empty").shape);
    }

    [Fact]
    public void Writing_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("t.safetensors");
        using var scope = torch.NewDisposeScope();

        SafetensorsWriter.Write(path, [KeyValuePair.Create("old", torch.ones(5))]);
        SafetensorsWriter.Write(path, [KeyValuePair.Create("new", torch.ones(2))]);
        using var reader = SafetensorsReader.Open(path);

        Assert.Equal(["new"], reader.Names);
        Assert.Equal(["t.safetensors"], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
    }
}
