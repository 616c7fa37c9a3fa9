using Llama.Platform.Storage;

namespace Llama.Platform.Tests.Storage;

public sealed class ObjectKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("checkpoints/run-42/step-1000/model.safetensors")]
    [InlineData("données/模型/ü.bin")]
    [InlineData("a/.hidden/b..c/...")]
    [InlineData("model.safetensors.sha256")]
    public void Valid_keys_pass(string key)
    {
        Assert.Null(ObjectKey.FindBrokenRule(key));
        ObjectKey.Validate(key);
    }

    [Fact]
    public void The_length_limit_counts_UTF8_bytes_not_characters()
    {
        string exactly1024 = string.Concat(Enumerable.Repeat(new string('é', 127) + "/", 4)) + "abcd";
        Assert.Equal(1024, System.Text.Encoding.UTF8.GetByteCount(exactly1024));
        ObjectKey.Validate(exactly1024);

        var e = Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.Validate(exactly1024 + "b"));
        Assert.Contains("at most 1024 bytes in UTF-8 (is 1025)", e.Message);
    }

    [Theory]
    [InlineData(".ObjectStore/x", "reserved")]
    [InlineData("a/\u007f", "control characters (found U+007F)")]
    public void Other_rules_name_what_is_wrong(string key, string rule)
    {
        var e = Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.Validate(key));
        Assert.Contains(rule, e.Message);
        Assert.Equal(key, e.Key);
    }

    [Fact]
    public void An_unpaired_surrogate_is_refused()
    {
        // Not as InlineData: the test runner's serialization would replace the lone surrogate.
        string key = "a/" + '\uD800' + "x";
        var e = Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.Validate(key));
        Assert.Contains("unpaired surrogate", e.Message);
    }

    [Fact]
    public void A_segment_longer_than_a_file_name_is_refused()
    {
        var e = Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.Validate("a/" + new string('x', 256)));
        Assert.Contains("at most 255 bytes", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("runs/")]
    [InlineData("runs/4")]
    public void Listing_prefixes_may_be_empty_or_end_anywhere(string prefix) => ObjectKey.ValidatePrefix(prefix);

    [Theory]
    [InlineData("/runs")]
    [InlineData("runs//")]
    [InlineData("../")]
    public void Listing_prefixes_follow_the_key_rules(string prefix) =>
        Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.ValidatePrefix(prefix));

    [Fact]
    public void Order_is_code_point_order_like_S3s_UTF8_byte_order()
    {
        // Ordinal UTF-16 order would put the emoji (a surrogate pair, 0xD83D...) before U+FFFD.
        string[] keys = ["a/\U0001F600", "a/\uFFFD", "a/b", "a/B"];

        Assert.Equal(["a/B", "a/b", "a/\uFFFD", "a/\U0001F600"], keys.Order(ObjectKey.Order));
    }
}
