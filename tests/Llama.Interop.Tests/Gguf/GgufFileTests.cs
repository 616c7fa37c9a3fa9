using Llama.Interop.Gguf;

namespace Llama.Interop.Tests.Gguf;

public sealed class GgufFileTests
{
    [Fact]
    public void Metadata_and_tensors_round_trip_through_writer_and_reader()
    {
        string path = Path.Combine(TestModels.NewTempDirectory(), "t.gguf");
        var writer = new GgufWriter();
        writer.Add("a.string", GgufValue.Of("héllo"));
        writer.Add("a.u32", GgufValue.Of(7u));
        writer.Add("a.i32", GgufValue.Of(-3));
        writer.Add("a.f32", GgufValue.Of(1.5f));
        writer.Add("a.bool", GgufValue.Of(true));
        writer.Add("a.strings", GgufValue.Strings(["x", "", "Ġy"]));
        writer.Add("a.ints", GgufValue.Int32s([1, -2, 3]));
        float[] matrix = Enumerable.Range(0, 3 * 5).Select(i => i * 0.25f - 1).ToArray();
        writer.AddTensor("m", [5, 3], GgmlType.F32, () => GgmlEncoding.EncodeF32(matrix));
        float[] vector = [1, 2, 3];
        writer.AddTensor("v", [3], GgmlType.F16, () => GgmlEncoding.EncodeF16(vector));
        writer.Write(path);

        using var reader = GgufReader.Open(path);
        Assert.Equal(3u, reader.Version);
        Assert.Equal("héllo", reader.Get<string>("a.string"));
        Assert.Equal(7u, reader.Get<uint>("a.u32"));
        Assert.Equal(-3, reader.Get<int>("a.i32"));
        Assert.Equal(1.5f, reader.Get<float>("a.f32"));
        Assert.True(reader.Get<bool>("a.bool"));
        Assert.Equal(["x", "", "Ġy"], reader.Get<GgufArray>("a.strings").Items.Cast<string>());
        Assert.Equal([1, -2, 3], reader.Get<GgufArray>("a.ints").Items.Cast<int>());
        Assert.Equal([5L, 3L], reader.Tensor("m").Dimensions);
        Assert.Equal(matrix, reader.ReadFloats("m"));
        Assert.Equal(vector, reader.ReadFloats("v"));
        Assert.All(reader.Tensors, t => Assert.Equal(0ul, t.Offset % GgufWriter.Alignment));
    }

    [Fact]
    public void Header_bytes_follow_the_gguf_layout()
    {
        string path = Path.Combine(TestModels.NewTempDirectory(), "h.gguf");
        var writer = new GgufWriter();
        writer.Add("k", GgufValue.Of(5u));
        writer.Write(path);
        byte[] b = File.ReadAllBytes(path);
        // "GGUF", version 3, 0 tensors, 1 key; key "k" (u64 length 1), type 4 (u32), value 5.
        byte[] expected = [(byte)'G', (byte)'G', (byte)'U', (byte)'F', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            1, 0, 0, 0, 0, 0, 0, 0, (byte)'k', 4, 0, 0, 0, 5, 0, 0, 0];
        Assert.Equal(expected, b.Take(expected.Length));
    }

    [Fact]
    public void A_file_that_is_not_gguf_is_rejected_by_name()
    {
        string path = Path.Combine(TestModels.NewTempDirectory(), "not.gguf");
        File.WriteAllText(path, "definitely not a gguf file");
        var e = Assert.Throws<GgufFormatException>(() => GgufReader.Open(path));
        Assert.Contains("not a GGUF file", e.Message);
    }

    [Fact]
    public void A_q8_0_tensor_with_rows_not_made_of_whole_blocks_is_refused()
    {
        var writer = new GgufWriter();
        Assert.Throws<GgufFormatException>(() => writer.AddTensor("w", [48, 2], GgmlType.Q8_0, () => []));
    }
}
