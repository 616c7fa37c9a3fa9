using System.Collections.Concurrent;
using Llama.Core.Tokenization;
using Llama.Curation.Documents;
using Llama.Curation.Pipeline;
using Llama.Platform.Artifacts;

namespace Llama.Curation.Output;

/// <summary>
/// The last step: the tokenizer (given, or trained on the curated text), then per working shard one
/// <c>documents/part-N.parquet</c> (the kept text) and one <c>tokens/part-N.parquet</c> (what the trainer streams).
/// </summary>
public static class CuratedOutput
{
    public static async Task<OutputSummary> WriteAsync(string curatedShards, CurationRunOptions options, CancellationToken cancellation)
    {
        var shards = ShardedSteps.Shards(curatedShards);
        var (tokenizer, tokenizerPath, trained) = ResolveTokenizer(shards, options);

        var tokenFiles = new ConcurrentBag<OutputFile>();
        var documentFiles = new ConcurrentBag<OutputFile>();
        var byDomain = new ConcurrentDictionary<string, long>();
        var tokensByDomain = new ConcurrentDictionary<string, long>();
        var bySource = new ConcurrentDictionary<string, long>();
        var byLanguage = new ConcurrentDictionary<string, long>();
        long bytes = 0;
        await Parallel.ForEachAsync(shards.Select((path, index) => (path, index)),
            new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellation },
            async (shard, token) =>
            {
                var documents = DocumentShardFile.Read(shard.path).ToList();
                var tokenRows = new List<TokenizedDocumentRow>(documents.Count);
                var textRows = new List<CuratedDocumentRow>(documents.Count);
                foreach (var d in documents)
                {
                    var ids = tokenizer.Encode(d.Text, bos: true, eos: true);
                    string domain = d.Domain ?? "general", language = d.Language ?? "unknown";
                    tokenRows.Add(new TokenizedDocumentRow { Id = d.Id, Source = d.Source, Domain = domain, Language = language, NumTokens = ids.Count, Tokens = ids.ToArray() });
                    textRows.Add(new CuratedDocumentRow { Id = d.Id, Text = d.Text, Source = d.Source, Url = d.Url, Language = language, LanguageScore = d.LanguageScore, Domain = domain, QualityScore = d.QualityScore });
                    byDomain.AddOrUpdate(domain, 1, (_, n) => n + 1);
                    tokensByDomain.AddOrUpdate(domain, ids.Count, (_, n) => n + ids.Count);
                    bySource.AddOrUpdate(d.Source, 1, (_, n) => n + 1);
                    byLanguage.AddOrUpdate(language, 1, (_, n) => n + 1);
                    Interlocked.Add(ref bytes, System.Text.Encoding.UTF8.GetByteCount(d.Text));
                }
                string name = $"part-{shard.index:00000}.parquet";
                string tokensPath = Path.Combine(options.Output, "tokens", name);
                string documentsPath = Path.Combine(options.Output, "documents", name);
                await ParquetFiles.WriteAsync(tokensPath, tokenRows, token);
                await ParquetFiles.WriteAsync(documentsPath, textRows, token);
                tokenFiles.Add(Describe(tokensPath, options.Output, tokenRows.Count, tokenRows.Sum(r => (long)r.NumTokens)));
                documentFiles.Add(Describe(documentsPath, options.Output, textRows.Count, tokenRows.Sum(r => (long)r.NumTokens)));
            });

        static IReadOnlyDictionary<string, long> Sorted(ConcurrentDictionary<string, long> d) =>
            d.OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => e.Value);
        var tokenList = tokenFiles.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        return new OutputSummary(
            tokenList.Sum(f => f.Documents), tokenList.Sum(f => f.Tokens), bytes,
            Sorted(byDomain), Sorted(tokensByDomain), Sorted(bySource), Sorted(byLanguage),
            tokenizerPath, trained, tokenizer.VocabSize,
            tokenList, documentFiles.OrderBy(f => f.Path, StringComparer.Ordinal).ToList());
    }

    private static (Llama3Tokenizer Tokenizer, string Path, bool Trained) ResolveTokenizer(IReadOnlyList<string> shards, CurationRunOptions options)
    {
        if (options.Tokenizer is { } given)
            return (File.Exists(given) ? Llama3Tokenizer.Load(given) : Llama3Tokenizer.FromDirectory(given), given, false);
        string folder = Path.Combine(options.Output, "tokenizer");
        var texts = shards.SelectMany(DocumentShardFile.Read).Select(d => d.Text);
        var tokenizer = BpeTrainer.TrainFromTexts(texts, new BpeTrainerOptions(options.TokenizerVocabSize));
        tokenizer.Save(folder);
        return (tokenizer, folder, true);
    }

    private static OutputFile Describe(string path, string root, long documents, long tokens)
    {
        return new OutputFile(Path.GetRelativePath(root, path), documents, tokens, new FileInfo(path).Length, FileContentHash.Sha256(path));
    }
}
