using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;

namespace Llama.Alignment.Sft;

/// <summary>
/// Pretraining text for SFT to keep training on beside the chat rows, so fine-tuning on task data does not wipe out
/// what pretraining taught (on `tiny`, SFT on the synthetic tasks alone took prose word perplexity from 3.4e3 to
/// 2.8e8). The Llama 3 paper does not spell out a replay share; InstructGPT's PPO-ptx mixes pretraining gradients in
/// for the same reason. Reads the curation stage's token shards (<c>tokens/part-*.parquet</c>, column <c>tokens</c>),
/// so the ids are the model's own; documents are concatenated in a seeded order, up to a token budget, and cut into
/// rows with a document id per token (attention stays inside a document, as in pretraining).
/// </summary>
public sealed class PretrainingText
{
    private readonly int[] _tokens;
    private readonly int[] _documents;

    private PretrainingText(int[] tokens, int[] documents, string folder)
    {
        _tokens = tokens;
        _documents = documents;
        Folder = folder;
    }

    public string Folder { get; }
    public int Tokens => _tokens.Length;

    /// <exception cref="ArgumentException">No shards in <paramref name="folder"/>, a shard without a <c>tokens</c> column, or ids outside the vocabulary.</exception>
    public static PretrainingText Load(string folder, int vocabularySize, int maxTokens, int seed)
    {
        folder = ShardFolder(folder);
        var shards = Directory.GetFiles(folder, "part-*.parquet").Order(StringComparer.Ordinal).ToArray();
        if (shards.Length == 0) throw new ArgumentException($"pretraining tokens: no part-*.parquet in {folder}");
        new Random(seed).Shuffle(shards);
        var tokens = new List<int>();
        var documents = new List<int>();
        int document = 0;
        foreach (var shard in shards)
        {
            // SFT runs on its own training thread; reading synchronously keeps Train's signature.
            foreach (var ids in ReadShardAsync(shard).GetAwaiter().GetResult())
            {
                int take = Math.Min(ids.Length, maxTokens - tokens.Count);
                for (int i = 0; i < take; i++)
                {
                    if ((uint)ids[i] >= (uint)vocabularySize)
                        throw new ArgumentException($"pretraining tokens: {shard} holds id {ids[i]}, outside the model's vocabulary of {vocabularySize}: tokenized with another tokenizer?");
                    tokens.Add(ids[i]);
                    documents.Add(document);
                }
                document++;
                if (tokens.Count >= maxTokens) return new PretrainingText([.. tokens], [.. documents], folder);
            }
        }
        if (tokens.Count < 2) throw new ArgumentException($"pretraining tokens: {folder} holds fewer than two tokens");
        return new PretrainingText([.. tokens], [.. documents], folder);
    }

    /// <summary>
    /// The curation report beside the shards (<c>report.json</c> in the curation output, given as that folder or its
    /// <c>tokens/</c>), or null: its hash is what the published dataset artifact is recorded by.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="folder"/> does not exist.</exception>
    public static string? CurationReportOf(string folder)
    {
        string shards = ShardFolder(folder);
        string report = Path.Combine(Path.GetFileName(shards) == "tokens" ? Path.GetDirectoryName(shards)! : shards, "report.json");
        return File.Exists(report) ? report : null;
    }

    /// <summary>
    /// Where the shards are: <c>tokens/</c> inside <paramref name="folder"/> when there is one (the curation stage's
    /// output), else the folder itself; the rule pretraining's shard reader follows for its <c>--data</c>.
    /// </summary>
    private static string ShardFolder(string folder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (!Directory.Exists(full)) throw new ArgumentException($"pretraining tokens: {folder} is not a folder (point sft.pretrainingTokens at the curation stage's output or its tokens/ folder)");
        string nested = Path.Combine(full, "tokens");
        return Directory.Exists(nested) ? nested : full;
    }

    /// <summary>
    /// A random window of <paramref name="length"/> tokens: every token is a target except where a document starts
    /// (its first token would be predicted from the previous document). Document ids restart at 0 in each row.
    /// </summary>
    public PackedRow Row(Random random, int length)
    {
        int n = Math.Min(length, _tokens.Length);
        int start = random.Next(_tokens.Length - n + 1);
        var ids = new int[length];
        var targets = new bool[length];
        var documents = new int[length];
        Array.Fill(documents, -1);
        Array.Fill(ids, _tokens[start + n - 1]);
        for (int t = 0; t < n; t++)
        {
            ids[t] = _tokens[start + t];
            documents[t] = _documents[start + t] - _documents[start];
            targets[t] = t > 0 && documents[t] == documents[t - 1];
        }
        return new PackedRow(ids, targets, documents);
    }

    private static async Task<IEnumerable<int[]>> ReadShardAsync(string shard)
    {
        IList<TokensColumn> rows;
        try
        {
            await using var stream = File.OpenRead(shard);
            await using (var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true))
                if (!reader.Schema.Fields.Any(f => f.Name == "tokens"))
                    throw new ArgumentException($"pretraining tokens: {shard} has no 'tokens' column (found: {string.Join(", ", reader.Schema.Fields.Select(f => f.Name))})");
            stream.Position = 0;
            rows = (await ParquetSerializer.DeserializeAsync<TokensColumn>(stream)).Data;
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new ArgumentException($"pretraining tokens: {shard} is not a readable token shard ({e.GetType().Name}: {e.Message})", e);
        }
        return rows.Select(r => r.Tokens ?? []);
    }

    /// <summary>The one column SFT needs of a token shard; declared here because stages meet through the file format.</summary>
    private sealed class TokensColumn
    {
        [JsonPropertyName("tokens")] public int[]? Tokens { get; set; }
    }
}
