using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Llama.Core.Tokenization;

/// <summary>
/// Llama 3's byte-level BPE tokenizer: tiktoken-style ranks (id = rank) followed by 256 special tokens,
/// text split by the Llama 3 regex before BPE. Ordinary text is encoded by Microsoft.ML.Tokenizers'
/// <see cref="TiktokenTokenizer"/>, which reproduces tiktoken's ids; special tokens are found here, and
/// decoding is byte-exact and done here.
/// Instances are immutable and safe to share between threads.
/// </summary>
public sealed class Llama3Tokenizer
{
    private readonly byte[][] _ranks;
    private readonly byte[][] _bytesById;
    private readonly bool[] _isSpecial;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly TiktokenTokenizer _ordinaryText;
    private readonly Regex _specialMatcher;

    private Llama3Tokenizer(IReadOnlyList<byte[]> ranks, IReadOnlyDictionary<string, int> specialTokens,
        string pattern, string sourceName)
    {
        _ranks = ranks.Select(r => r.ToArray()).ToArray();
        _specialTokens = new Dictionary<string, int>(specialTokens, StringComparer.Ordinal);
        Pattern = pattern;
        Validate(sourceName);

        VocabSize = _ranks.Length + _specialTokens.Count;
        _bytesById = new byte[VocabSize][];
        _isSpecial = new bool[VocabSize];
        _ranks.CopyTo(_bytesById, 0);
        foreach (var (text, id) in _specialTokens)
        {
            _bytesById[id] = Encoding.UTF8.GetBytes(text);
            _isSpecial[id] = true;
        }

        BosId = RequireSpecial(Llama3SpecialTokens.BeginOfText, sourceName);
        EosId = RequireSpecial(Llama3SpecialTokens.EndOfText, sourceName);
        EotId = RequireSpecial(Llama3SpecialTokens.EndOfTurn, sourceName);
        EomId = RequireSpecial(Llama3SpecialTokens.EndOfMessage, sourceName);
        StartHeaderId = RequireSpecial(Llama3SpecialTokens.StartHeader, sourceName);
        EndHeaderId = RequireSpecial(Llama3SpecialTokens.EndHeader, sourceName);

        _ordinaryText = CreateOrdinaryTextEncoder(Llama3SplitPattern.Compile(pattern));
        // Like tiktoken's special regex: the escaped strings as alternatives (longest first, so none shadows another).
        _specialMatcher = new Regex(
            string.Join('|', _specialTokens.Keys.OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).Select(Regex.Escape)),
            RegexOptions.CultureInvariant);
    }

    /// <summary>Number of ids: base ranks plus special tokens (128,256 for Meta's Llama 3).</summary>
    public int VocabSize { get; }

    /// <summary>Number of ordinary BPE ranks (ids 0..BaseVocabSize-1).</summary>
    public int BaseVocabSize => _ranks.Length;

    /// <summary>The pre-tokenization regex (Llama 3's unless the tokenizer was trained or loaded with another).</summary>
    public string Pattern { get; }

    /// <summary><c>&lt;|begin_of_text|&gt;</c>.</summary>
    public int BosId { get; }
    /// <summary><c>&lt;|end_of_text|&gt;</c>: end of a pretraining document.</summary>
    public int EosId { get; }
    /// <summary><c>&lt;|eot_id|&gt;</c>: end of a chat turn.</summary>
    public int EotId { get; }
    /// <summary><c>&lt;|eom_id|&gt;</c>: end of a message that awaits a tool result.</summary>
    public int EomId { get; }
    /// <summary><c>&lt;|start_header_id|&gt;</c>.</summary>
    public int StartHeaderId { get; }
    /// <summary><c>&lt;|end_header_id|&gt;</c>.</summary>
    public int EndHeaderId { get; }

    /// <summary>Special token strings and their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _specialTokens;

    /// <summary>A copy of the base ranks: element r holds the bytes of id r.</summary>
    public IReadOnlyList<byte[]> GetRanks() => Array.ConvertAll(_ranks, r => r.ToArray());

    /// <summary>The base ranks without copying; callers must not modify them.</summary>
    internal IReadOnlyList<byte[]> RankTable => _ranks;

    /// <summary>Reads a tiktoken rank file (Meta's <c>tokenizer.model</c>) and adds Meta's 256 specials after it.</summary>
    /// <param name="tokenizerModelPath">The rank file.</param>
    /// <param name="pattern">The split regex; the rank file does not record one, Meta hard-codes Llama 3's.</param>
    public static Llama3Tokenizer Load(string tokenizerModelPath, string? pattern = null)
    {
        var ranks = TiktokenRankFile.Read(tokenizerModelPath);
        return new Llama3Tokenizer(ranks, Llama3SpecialTokens.ForBaseVocabulary(ranks.Count),
            pattern ?? Llama3SplitPattern.Value, tokenizerModelPath);
    }

    /// <summary>
    /// Reads a Hugging Face <c>tokenizer.json</c> holding a byte-level BPE whose ids are tiktoken ranks
    /// (true of Llama 3's, and of what <see cref="Save"/> writes); specials come from <c>added_tokens</c>,
    /// the split regex from the <c>Split</c> pre-tokenizer when present. <c>merges</c> are not needed.
    /// </summary>
    public static Llama3Tokenizer FromHuggingFaceJson(string tokenizerJsonPath)
    {
        var (ranks, specials, pattern) = HuggingFaceTokenizerJson.Read(tokenizerJsonPath);
        return new Llama3Tokenizer(ranks, specials, pattern ?? Llama3SplitPattern.Value, tokenizerJsonPath);
    }

    /// <summary>
    /// Loads the tokenizer of a model folder: <c>tokenizer.model</c> in <paramref name="directory"/> or in its
    /// <c>original/</c> subfolder (where Llama 3.1 Hugging Face repos keep Meta's file), else <c>tokenizer.json</c>.
    /// A <c>tokenizer.model</c> always gets Llama 3's split regex; a tokenizer trained with another pattern
    /// keeps it only in its <c>tokenizer.json</c> (load that with <see cref="FromHuggingFaceJson"/>).
    /// </summary>
    public static Llama3Tokenizer FromDirectory(string directory)
    {
        string[] modelCandidates =
        [
            Path.Combine(directory, "tokenizer.model"),
            Path.Combine(directory, "original", "tokenizer.model"),
        ];
        foreach (var candidate in modelCandidates)
        {
            if (File.Exists(candidate)) return Load(candidate);
        }
        var json = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(json)) return FromHuggingFaceJson(json);
        throw new FileNotFoundException(
            $"No tokenizer found in '{directory}': looked for {string.Join(", ", modelCandidates)} and {json}.");
    }

    /// <summary>A tokenizer over <paramref name="ranks"/> (e.g. fresh from <see cref="BpeTrainer"/>) with Meta's specials.</summary>
    public static Llama3Tokenizer FromRanks(IReadOnlyList<byte[]> ranks, string? pattern = null) =>
        new(ranks, Llama3SpecialTokens.ForBaseVocabulary(ranks.Count), pattern ?? Llama3SplitPattern.Value, "ranks");

    /// <summary>
    /// Encodes <paramref name="text"/>. With <paramref name="allowSpecial"/> the exact special strings become their
    /// single ids (tiktoken's <c>allowed_special="all"</c>); without it they are encoded as ordinary text.
    /// Lone UTF-16 surrogates cannot be encoded in UTF-8 and come back as U+FFFD.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool bos = false, bool eos = false, bool allowSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (bos) ids.Add(BosId);
        if (allowSpecial)
        {
            // Specials are split out here rather than by the library: TiktokenTokenizer 2.0.1 recognizes them
            // only through its LRU cache, so after enough distinct words they are evicted and get split.
            var start = 0;
            foreach (var m in _specialMatcher.EnumerateMatches(text))
            {
                EncodeOrdinary(text.AsSpan(start, m.Index - start), ids);
                ids.Add(_specialTokens[text.Substring(m.Index, m.Length)]);
                start = m.Index + m.Length;
            }
            EncodeOrdinary(text.AsSpan(start), ids);
        }
        else
        {
            EncodeOrdinary(text, ids);
        }
        if (eos) ids.Add(EosId);
        return ids;
    }

    /// <summary>The UTF-8 bytes of <paramref name="ids"/> (specials as their text), exact even mid-character.</summary>
    public byte[] DecodeBytes(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (var id in ids) bytes.AddRange(BytesOf(id));
        return bytes.ToArray();
    }

    /// <summary>
    /// Decodes <paramref name="ids"/> to text. Byte sequences that are not valid UTF-8 become U+FFFD, as Meta's
    /// decode does (tiktoken decodes with <c>errors="replace"</c>); use <see cref="CreateStreamingDecoder"/>
    /// to print token by token without splitting characters.
    /// </summary>
    public string Decode(IEnumerable<int> ids) => Encoding.UTF8.GetString(DecodeBytes(ids));

    /// <summary>A decoder that turns ids into text one at a time, holding back incomplete UTF-8 characters.</summary>
    public StreamingDecoder CreateStreamingDecoder() => new(this);

    /// <summary>Whether <paramref name="id"/> is a special token.</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)VocabSize && _isSpecial[id];

    /// <summary>
    /// A readable form of one id for debugging: the special string, the token's text when its bytes are valid
    /// UTF-8, otherwise the bytes as <c>\xNN</c> escapes; null for an id outside the vocabulary.
    /// </summary>
    public string? TokenToString(int id)
    {
        if ((uint)id >= (uint)VocabSize) return null;
        var bytes = _bytesById[id];
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return string.Concat(bytes.Select(b => b < 0x80 && !char.IsControl((char)b) ? ((char)b).ToString() : $"\\x{b:X2}"));
        }
    }

    /// <summary>
    /// Writes <c>tokenizer.model</c> (base ranks only, like Meta's), a Hugging Face <c>tokenizer.json</c> and
    /// <c>tokenizer_config.json</c> into <paramref name="directory"/> (created if missing).
    /// </summary>
    /// <param name="directory">Target folder.</param>
    /// <param name="modelMaxLength">
    /// <c>model_max_length</c> for transformers; 131072 is Llama 3.1's context length.
    /// </param>
    public void Save(string directory, int modelMaxLength = 131072)
    {
        Directory.CreateDirectory(directory);
        TiktokenRankFile.Write(Path.Combine(directory, "tokenizer.model"), _ranks);
        HuggingFaceTokenizerJson.Write(Path.Combine(directory, "tokenizer.json"), this);
        HuggingFaceTokenizerJson.WriteConfig(Path.Combine(directory, "tokenizer_config.json"), this, modelMaxLength);
    }

    internal ReadOnlySpan<byte> BytesOf(int id)
    {
        if ((uint)id >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id must be in 0..{VocabSize - 1}.");
        return _bytesById[id];
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    // Meta's tokenizer.py: TIKTOKEN_MAX_ENCODE_CHARS and MAX_NO_WHITESPACES_CHARS. BPE on one pre-token is
    // quadratic in its length (400K spaces take over a minute), so Meta cuts the input into chunks first.
    private const int MaxEncodeChars = 400_000;
    private const int MaxConsecutiveRunChars = 25_000;

    /// <summary>
    /// Encodes text without specials the way Meta's <c>encode</c> does: 400K-char chunks, each cut inside any run
    /// of more than 25K whitespace or non-whitespace chars (<c>_split_whitespaces_or_nonwhitespaces</c>).
    /// Meta counts code points; here cuts never fall inside a surrogate pair.
    /// </summary>
    private void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        for (var start = 0; start < text.Length;)
        {
            var end = Math.Min(start + MaxEncodeChars, text.Length);
            if (end < text.Length && char.IsLowSurrogate(text[end])) end--;
            var chunk = text[start..end];
            var sliceStart = 0;
            var runLength = 0;
            var runIsSpace = char.IsWhiteSpace(chunk[0]);
            for (var i = 0; i < chunk.Length; i++)
            {
                var isSpace = char.IsWhiteSpace(chunk[i]);
                if (isSpace != runIsSpace)
                {
                    runLength = 1;
                    runIsSpace = isSpace;
                }
                else if (++runLength > MaxConsecutiveRunChars && !char.IsLowSurrogate(chunk[i]))
                {
                    ids.AddRange(_ordinaryText.EncodeToIds(chunk[sliceStart..i]));
                    sliceStart = i;
                    runLength = 1;
                }
            }
            ids.AddRange(_ordinaryText.EncodeToIds(chunk[sliceStart..]));
            start = end;
        }
    }

    private TiktokenTokenizer CreateOrdinaryTextEncoder(Regex regex)
    {
        using var stream = new MemoryStream();
        TiktokenRankFile.Write(stream, _ranks);
        stream.Position = 0;
        return TiktokenTokenizer.Create(stream, new RegexPreTokenizer(regex, specialTokens: null), normalizer: null, specialTokens: null);
    }

    private void Validate(string sourceName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var singleBytes = new bool[256];
        foreach (var r in _ranks)
        {
            if (r.Length == 0) throw new TokenizerFormatException(sourceName, null, "a rank has no bytes");
            if (!seen.Add(Convert.ToBase64String(r)))
                throw new TokenizerFormatException(sourceName, null, $"token {Convert.ToHexString(r)} has two ranks");
            if (r.Length == 1) singleBytes[r[0]] = true;
        }
        // Byte-level BPE can encode any text only if every single byte is a token (tiktoken requires it too).
        var missing = Array.IndexOf(singleBytes, false);
        if (missing >= 0)
            throw new TokenizerFormatException(sourceName, null, $"byte 0x{missing:X2} has no rank of its own");

        var total = _ranks.Length + _specialTokens.Count;
        var used = new bool[total];
        foreach (var (text, id) in _specialTokens)
        {
            if (id < _ranks.Length || id >= total || used[id])
                throw new TokenizerFormatException(sourceName, null,
                    $"special token {text} has id {id}; specials must take the distinct ids {_ranks.Length}..{total - 1}");
            used[id] = true;
        }
    }

    private int RequireSpecial(string text, string sourceName) =>
        _specialTokens.TryGetValue(text, out var id)
            ? id
            : throw new TokenizerFormatException(sourceName, null, $"the Llama 3 special token {text} is missing");
}
