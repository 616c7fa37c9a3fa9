using System.Text;
using CsCheck;
using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Tokenization;

public class RoundTripPropertyTests
{
    /// <summary>
    /// Strings built from pieces that stress byte-level BPE: ASCII, whitespace runs and CRLF, combining marks,
    /// Cyrillic and CJK, supplementary-plane characters (surrogate pairs), any valid scalar value, special strings.
    /// Lone surrogates are left out: they have no UTF-8 form, so no tokenizer can round-trip them;
    /// U+FFFD too, so that a streamed replacement character always means a broken character.
    /// </summary>
    private static readonly Gen<string> Text = Gen.Frequency(
            (6, Gen.Char['a', 'z'].Select(c => c.ToString())),
            (3, Gen.Char[" \t\r\n\u00a0\u2003\u3000"].Select(c => c.ToString())),
            (2, Gen.Const("\r\n")),
            (2, Gen.Char["0123456789'.,;:!?-_()[]{}<>|/\\\"#$%&*+="].Select(c => c.ToString())),
            (2, Gen.Char['\u0300', '\u036f'].Select(c => c.ToString())),
            (2, Gen.Char['\u0400', '\u04ff'].Select(c => c.ToString())),
            (2, Gen.Char['\u4e00', '\u9fff'].Select(c => c.ToString())),
            (2, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)),
            (2, Gen.Int[0x1F300, 0x1FAFF].Select(char.ConvertFromUtf32)),
            (2, Gen.Int[0, 0xFFFF].Where(c => c is (< 0xD800 or > 0xDFFF) and not 0xFFFD).Select(char.ConvertFromUtf32)),
            (1, Gen.OneOf("<|eot_id|>", "<|begin_of_text|>", "<|start_header_id|>", "<|eot_id", "'s", "'LL", "\u200d")))
        .Array[0, 40]
        .Select(parts => string.Concat(parts));

    [Fact]
    public void Fixture_tokenizer_round_trips_arbitrary_text() =>
        Text.Sample(s => Assert.Equal(s, TokenizerReference.Tokenizer.Decode(TokenizerReference.Tokenizer.Encode(s))), iter: 3000);

    [Fact]
    public void Fixture_tokenizer_round_trips_with_specials_disallowed() =>
        Text.Sample(s => Assert.Equal(s, TokenizerReference.Tokenizer.Decode(TokenizerReference.Tokenizer.Encode(s, allowSpecial: false))), iter: 1000);

    [Fact]
    public void Trained_tokenizer_round_trips_arbitrary_text() =>
        Text.Sample(s => Assert.Equal(s, TrainingCorpus.Tokenizer.Decode(TrainingCorpus.Tokenizer.Encode(s))), iter: 3000);

    [Fact]
    public void Streaming_decode_token_by_token_equals_whole_decode()
    {
        var tokenizer = TokenizerReference.Tokenizer;
        Text.Sample(s =>
        {
            var ids = tokenizer.Encode(s);
            var decoder = tokenizer.CreateStreamingDecoder();
            var streamed = new StringBuilder();
            foreach (var id in ids)
            {
                var piece = decoder.Append(id);
                // A printed piece never ends inside a character.
                Assert.False(piece.Length > 0 && char.IsHighSurrogate(piece[^1]), $"piece ends in a high surrogate: {piece}");
                Assert.DoesNotContain('\uFFFD', piece);
                streamed.Append(piece);
            }
            streamed.Append(decoder.Flush());
            Assert.Equal(s, streamed.ToString());
        }, iter: 1000);
    }

    [Fact]
    public void Streaming_decoder_holds_back_a_split_character()
    {
        var tokenizer = TokenizerReference.Tokenizer;
        var decoder = tokenizer.CreateStreamingDecoder();
        // "🦙" is four bytes F0 9F A6 99; ranks 0..255 are the single bytes in the fixture.
        Assert.Equal("", decoder.Append(0xF0));
        Assert.Equal("", decoder.Append(0x9F));
        Assert.Equal("", decoder.Append(0xA6));
        Assert.Equal("🦙", decoder.Append(0x99));
        Assert.Equal("a", decoder.Append('a'));
        Assert.Equal("", decoder.Append(0xF0));
        Assert.Equal("\uFFFD", decoder.Flush());
    }

    [Fact]
    public void DecodeBytes_keeps_partial_characters_exact()
    {
        var tokenizer = TokenizerReference.Tokenizer;
        var bytes = tokenizer.DecodeBytes(new[] { 0xF0, 0x9F });
        Assert.Equal(new byte[] { 0xF0, 0x9F }, bytes);
        Assert.Equal("\uFFFD", tokenizer.Decode(new[] { 0xF0, 0x9F }));
    }
}
