using Llama.Pretraining.Data;
using static Llama.Pretraining.Tests.Data.TokenShardFolder;

namespace Llama.Pretraining.Tests.Data;

/// <summary>Training reads token ids shard by shard through a bounded cache, not the whole corpus into memory.</summary>
public class ShardStreamingTests
{
    private const int ShardCount = 12;
    private const int DocumentsPerShard = 5;

    /// <summary>Twelve shards, each holding documents of one of two domains (as sorted curation output can).</summary>
    private static TokenShardFolder TwelveShards()
    {
        var folder = new TokenShardFolder();
        for (int shard = 0; shard < ShardCount; shard++)
        {
            string domain = shard % 2 == 0 ? "general" : "code";
            folder.WriteShard(shard, [.. Enumerable.Range(0, DocumentsPerShard)
                .Select(i => Counting($"{shard}-{i}", domain, first: 2 + shard * 100 + i * 10, bodyLength: 6 + i))]);
        }
        return folder;
    }

    [Fact]
    public void Opening_keeps_no_shard_in_memory_and_bounds_the_cache_by_the_domains()
    {
        using var folder = TwelveShards();
        var set = folder.Open();
        Assert.Equal(0, set.ShardReads);
        Assert.Equal(2 + 2, set.ResidentShards);
        Assert.Equal(ShardCount * DocumentsPerShard, set.Documents.Count);
    }

    [Fact]
    public void An_epoch_reads_each_shard_about_once_and_every_document_once()
    {
        using var folder = TwelveShards();
        var set = folder.Open();
        var split = TokenDataSplit.ByDocumentIdHash(set.Documents, new ValidationSplitOptions(0, MinimumDocuments: 0));
        var sampler = new PackedBatchSampler(split, new DomainMix(new Dictionary<string, double> { ["general"] = 1, ["code"] = 1 }), seed: 7);

        // Enough tokens for roughly two epochs of both domains.
        long corpusTokens = set.TotalTokens, seen = 0;
        var firstBodyTokens = new HashSet<long>();
        while (seen < 2 * corpusTokens)
        {
            var batch = sampler.NextBatch(batchSize: 2, sequenceLength: 16);
            seen += batch.InputIds.Length;
            foreach (long token in batch.InputIds) if (token >= 2 && (token - 2) % 10 == 0) firstBodyTokens.Add(token);
        }

        // Every document was visited (its first body token seen), and a shard was read about once per epoch per
        // domain walk: far fewer reads than documents drawn (a per-document shuffle across shards would read ~1 per draw).
        Assert.Equal(ShardCount * DocumentsPerShard, firstBodyTokens.Count);
        int documentsDrawn = (int)(seen / 10); // documents average 10 tokens
        Assert.InRange(set.ShardReads, ShardCount, 3 * ShardCount + 4);
        Assert.True(set.ShardReads * 3 < documentsDrawn, $"{set.ShardReads} shard reads for ~{documentsDrawn} documents");
    }

    [Fact]
    public void A_shard_rewritten_after_opening_is_an_error_naming_the_document_not_wrong_ids()
    {
        using var folder = TwelveShards();
        var set = folder.Open();
        folder.WriteShard(3, Counting("3-0", "code", 2, 40));
        var document = set.Documents.Single(d => d.Id == "3-0");
        var error = Assert.Throws<TokenShardException>(() => document.Tokens);
        Assert.Equal((folder.ShardPath(3), "3-0"), (error.Path, error.DocumentId));
        Assert.Contains("changed since it was opened", error.Message);
    }
}
