using System.Text.Encodings.Web;
using System.Text.Json;

namespace Llama.Core.Tokenization;

/// <summary>
/// Reads and writes the Hugging Face <c>tokenizer.json</c> / <c>tokenizer_config.json</c> pair in the layout
/// transformers uses for Llama 3 (byte-level BPE, Split regex + ByteLevel pre-tokenizer, BOS post-processor).
/// </summary>
internal static class HuggingFaceTokenizerJson
{
    public static (IReadOnlyList<byte[]> Ranks, IReadOnlyDictionary<string, int> Specials, string? Pattern) Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Hugging Face tokenizer file not found: {path}", path);
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, e.LineNumber is { } l ? (int)l + 1 : null, $"invalid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException(path, null, "no 'model' object");
            if (model.TryGetProperty("type", out var type) && type.GetString() != "BPE")
                throw new TokenizerFormatException(path, null, $"model.type is '{type}', expected 'BPE'");
            if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException(path, null, "no 'model.vocab' object");

            var byId = new Dictionary<int, byte[]>();
            foreach (var entry in vocab.EnumerateObject())
            {
                var bytes = ByteLevelAlphabet.TryDecode(entry.Name) ?? throw new TokenizerFormatException(path, null,
                    $"model.vocab key '{entry.Name}' is not GPT-2 byte-level text (only byte-level BPE is supported)");
                if (!entry.Value.TryGetInt32(out var id) || id < 0)
                    throw new TokenizerFormatException(path, null, $"model.vocab['{entry.Name}'] is not a non-negative id");
                if (!byId.TryAdd(id, bytes))
                    throw new TokenizerFormatException(path, null, $"model.vocab gives id {id} twice");
            }
            var ranks = new byte[byId.Count][];
            for (var id = 0; id < ranks.Length; id++)
            {
                // ids double as tiktoken ranks (true of tiktoken-derived vocabularies such as Llama 3's).
                if (!byId.TryGetValue(id, out ranks[id]!))
                    throw new TokenizerFormatException(path, null,
                        $"model.vocab ids must be 0..{ranks.Length - 1} without gaps, but id {id} is missing");
            }

            var specials = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            {
                foreach (var token in added.EnumerateArray())
                {
                    var content = token.TryGetProperty("content", out var c) ? c.GetString() : null;
                    if (content is null || !token.TryGetProperty("id", out var idElement) || !idElement.TryGetInt32(out var id))
                        throw new TokenizerFormatException(path, null, "an added_tokens entry lacks 'content' or 'id'");
                    if (!(token.TryGetProperty("special", out var special) && special.ValueKind == JsonValueKind.True))
                        throw new TokenizerFormatException(path, null,
                            $"added token '{content}' is not special; only special added tokens are supported");
                    if (!specials.TryAdd(content, id))
                        throw new TokenizerFormatException(path, null, $"added token '{content}' appears twice");
                }
            }
            return (ranks, specials, FindSplitPattern(root));
        }
    }

    /// <summary>The regex of the first <c>Split</c> pre-tokenizer (alone or inside a <c>Sequence</c>), if any.</summary>
    private static string? FindSplitPattern(JsonElement root)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind != JsonValueKind.Object) return null;
        IEnumerable<JsonElement> candidates = pre.TryGetProperty("pretokenizers", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray()
            : [pre];
        foreach (var p in candidates)
        {
            if (p.TryGetProperty("type", out var t) && t.GetString() == "Split"
                && p.TryGetProperty("pattern", out var pattern) && pattern.TryGetProperty("Regex", out var regex))
                return regex.GetString();
        }
        return null;
    }

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        // Keep 'Ġ', '<' and '|' readable, as transformers writes them.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(string path, Llama3Tokenizer tokenizer)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, WriterOptions);
        var bos = Llama3SpecialTokens.BeginOfText;
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");

        w.WriteStartArray("added_tokens");
        foreach (var (content, id) in tokenizer.SpecialTokens.OrderBy(s => s.Value))
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("content", content);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteNull("normalizer");
        // As in Llama 3's tokenizer.json: split with the regex, then map bytes to GPT-2 characters.
        w.WriteStartObject("pre_tokenizer");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("pretokenizers");
        w.WriteStartObject();
        w.WriteString("type", "Split");
        w.WriteStartObject("pattern");
        w.WriteString("Regex", tokenizer.Pattern);
        w.WriteEndObject();
        w.WriteString("behavior", "Isolated");
        w.WriteBoolean("invert", false);
        w.WriteEndObject();
        WriteByteLevel(w, addPrefixSpace: false, trimOffsets: true, useRegex: false);
        w.WriteEndArray();
        w.WriteEndObject();

        // transformers' Llama 3 post-processor: prepend <|begin_of_text|> to every encoded sequence.
        w.WriteStartObject("post_processor");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("processors");
        WriteByteLevel(w, addPrefixSpace: true, trimOffsets: false, useRegex: true);
        w.WriteStartObject();
        w.WriteString("type", "TemplateProcessing");
        w.WriteStartArray("single");
        WritePiece(w, "SpecialToken", bos, 0);
        WritePiece(w, "Sequence", "A", 0);
        w.WriteEndArray();
        w.WriteStartArray("pair");
        WritePiece(w, "SpecialToken", bos, 0);
        WritePiece(w, "Sequence", "A", 0);
        WritePiece(w, "SpecialToken", bos, 1);
        WritePiece(w, "Sequence", "B", 1);
        w.WriteEndArray();
        w.WriteStartObject("special_tokens");
        w.WriteStartObject(bos);
        w.WriteString("id", bos);
        w.WriteStartArray("ids");
        w.WriteNumberValue(tokenizer.BosId);
        w.WriteEndArray();
        w.WriteStartArray("tokens");
        w.WriteStringValue(bos);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("decoder");
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", true);
        w.WriteBoolean("trim_offsets", true);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();

        var spelled = tokenizer.RankTable.Select(r => ByteLevelAlphabet.Encode(r)).ToArray();
        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteNull("unk_token");
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", false);
        w.WriteBoolean("byte_fallback", false);
        // tiktoken takes a whole pre-token that is itself a token without merging; HF does so with ignore_merges.
        w.WriteBoolean("ignore_merges", true);
        w.WriteStartObject("vocab");
        for (var id = 0; id < spelled.Length; id++) w.WriteNumber(spelled[id], id);
        w.WriteEndObject();
        w.WriteStartArray("merges");
        // "left right" strings: byte-level text never contains a plain space, so the form is unambiguous.
        foreach (var (left, right) in BpeMergeList.Derive(tokenizer.RankTable))
            w.WriteStringValue($"{spelled[left]} {spelled[right]}");
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteEndObject();
    }

    public static void WriteConfig(string path, Llama3Tokenizer tokenizer, int modelMaxLength)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, WriterOptions);
        w.WriteStartObject();
        w.WriteStartObject("added_tokens_decoder");
        foreach (var (content, id) in tokenizer.SpecialTokens.OrderBy(s => s.Value))
        {
            w.WriteStartObject(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("content", content);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteString("bos_token", Llama3SpecialTokens.BeginOfText);
        w.WriteString("chat_template", Llama3ChatTemplate.JinjaTemplate);
        // Llama 3's own config says true, which makes transformers drop spaces before punctuation on decode;
        // false keeps decode(encode(s)) == s.
        w.WriteBoolean("clean_up_tokenization_spaces", false);
        w.WriteString("eos_token", Llama3SpecialTokens.EndOfText);
        w.WriteStartArray("model_input_names");
        w.WriteStringValue("input_ids");
        w.WriteStringValue("attention_mask");
        w.WriteEndArray();
        w.WriteNumber("model_max_length", modelMaxLength);
        w.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
        w.WriteEndObject();
    }

    private static void WriteByteLevel(Utf8JsonWriter w, bool addPrefixSpace, bool trimOffsets, bool useRegex)
    {
        w.WriteStartObject();
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", addPrefixSpace);
        w.WriteBoolean("trim_offsets", trimOffsets);
        w.WriteBoolean("use_regex", useRegex);
        w.WriteEndObject();
    }

    private static void WritePiece(Utf8JsonWriter w, string kind, string id, int typeId)
    {
        w.WriteStartObject();
        w.WriteStartObject(kind);
        w.WriteString("id", id);
        w.WriteNumber("type_id", typeId);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
