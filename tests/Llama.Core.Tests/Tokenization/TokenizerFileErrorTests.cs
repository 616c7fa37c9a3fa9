using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Tokenization;

public sealed class TokenizerFileErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llama-tokenizer-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteModel(params string[] lines)
    {
        var path = Path.Combine(_dir, "tokenizer.model");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string[] AllBytes() => Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}").ToArray();

    [Fact]
    public void Line_without_rank_names_file_and_line()
    {
        var path = WriteModel([.. AllBytes()[..3], "aGVsbG8="]);
        var e = Assert.Throws<TokenizerFormatException>(() => Llama3Tokenizer.Load(path));
        Assert.StartsWith($"{path}:4:", e.Message);
        Assert.Equal(4, e.Line);
    }

    [Fact]
    public void Invalid_base64_names_file_and_line()
    {
        var path = WriteModel([.. AllBytes()[..2], "!!! 2"]);
        var e = Assert.Throws<TokenizerFormatException>(() => Llama3Tokenizer.Load(path));
        Assert.StartsWith($"{path}:3: invalid base64", e.Message);
    }

    [Fact]
    public void Non_numeric_rank_is_rejected()
    {
        var path = WriteModel([.. AllBytes()[..2], "aGk= two"]);
        var e = Assert.Throws<TokenizerFormatException>(() => Llama3Tokenizer.Load(path));
        Assert.Contains(":3: invalid rank 'two'", e.Message);
    }

    [Fact]
    public void Gap_in_ranks_is_rejected()
    {
        var path = WriteModel([.. AllBytes(), "aGk= 257"]);
        var e = Assert.Throws<TokenizerFormatException>(() => Llama3Tokenizer.Load(path));
        Assert.Contains("rank 256 is missing", e.Message);
    }

    [Fact]
    public void Duplicate_rank_is_rejected()
    {
        var path = WriteModel([.. AllBytes(), "aGk= 5"]);
        var e = Assert.Throws<TokenizerFormatException>(() => Llama3Tokenizer.Load(path));
        Assert.Contains(":257: rank 5 appears twice", e.Message);
    }

    [Fact]
    public void Missing_single_byte_is_rejected()
    {
        var path = WriteModel(AllBytes()[..200]);
        var e = Assert.Throws<TokenizerFormatException>(() => Llama3Tokenizer.Load(path));
        Assert.Contains("byte 0xC8 has no rank", e.Message);
    }

    [Fact]
    public void Missing_model_file_names_the_path()
    {
        var path = Path.Combine(_dir, "nope.model");
        var e = Assert.Throws<FileNotFoundException>(() => Llama3Tokenizer.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Empty_directory_lists_every_place_looked()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Llama3Tokenizer.FromDirectory(_dir));
        Assert.Contains(Path.Combine(_dir, "tokenizer.model"), e.Message);
        Assert.Contains(Path.Combine(_dir, "original", "tokenizer.model"), e.Message);
        Assert.Contains(Path.Combine(_dir, "tokenizer.json"), e.Message);
    }

    [Fact]
    public void Broken_json_names_file_and_line()
    {
        var path = Path.Combine(_dir, "tokenizer.json");
        File.WriteAllText(path, "{\n  \"model\": {\n    \"vocab\": { \"a\": 0,, }\n  }\n}");
        var e = Assert.Throws<TokenizerFormatException>(() => Llama3Tokenizer.FromHuggingFaceJson(path));
        Assert.StartsWith($"{path}:3:", e.Message);
    }

    [Fact]
    public void Json_vocab_that_is_not_byte_level_is_rejected()
    {
        var path = Path.Combine(_dir, "tokenizer.json");
        File.WriteAllText(path, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a b\": 0}}}");
        var e = Assert.Throws<TokenizerFormatException>(() => Llama3Tokenizer.FromHuggingFaceJson(path));
        Assert.Contains("'a b' is not GPT-2 byte-level text", e.Message);
    }
}
