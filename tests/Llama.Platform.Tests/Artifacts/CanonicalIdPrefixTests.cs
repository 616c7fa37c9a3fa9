using Llama.Platform.Artifacts;

namespace Llama.Platform.Tests.Artifacts;

public class CanonicalIdPrefixTests
{
    [Theory]
    [InlineData("abcdef", "abcdef")]
    [InlineData("ABCDEF01", "abcdef01")]
    [InlineData("abcdef0123", "abcdef01-23")]
    [InlineData("abcdef01-23", "abcdef01-23")]
    [InlineData(" abcdef01234567890a ", "abcdef01-2345-6789-0a")]
    public void Prefix_is_rewritten_as_the_start_of_a_lowercase_dashed_id(string typed, string canonical) =>
        Assert.Equal(canonical, ArtifactRegistry.CanonicalIdPrefix(typed));

    [Theory]
    [InlineData("abcde")]
    [InlineData("abc-de")]
    [InlineData("ckpt-7abcdef")]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    public void Short_non_hex_or_overlong_prefix_is_refused(string typed) =>
        Assert.Throws<ArgumentException>(() => ArtifactRegistry.CanonicalIdPrefix(typed));
}
