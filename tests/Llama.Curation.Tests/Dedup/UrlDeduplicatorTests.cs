using Llama.Curation.Dedup;
using Llama.Curation.Stages;
using static Llama.Curation.Tests.Dedup.CorpusStageRun;

namespace Llama.Curation.Tests.Dedup;

public class UrlDeduplicatorTests
{
    [Theory]
    [InlineData("HTTP://Example.COM/Docs/", "http://example.com/Docs")]
    [InlineData("https://example.com:443/a/b/#section-2", "https://example.com/a/b")]
    [InlineData("http://example.com:8080/a", "http://example.com:8080/a")]
    [InlineData("https://example.com/", "https://example.com")]
    [InlineData("https://example.com/search?q=Llama&page=2#top", "https://example.com/search?q=Llama&page=2")]
    [InlineData("  not a url  ", "not a url")]
    public void Urls_are_normalized_for_comparison(string url, string expected) =>
        Assert.Equal(expected, UrlNormalizer.Normalize(url));

    [Fact]
    public void The_newest_copy_of_a_url_is_kept()
    {
        var documents = new[]
        {
            Document("crawl-2023/page", "old text", "https://example.com/news/", "2023-05-01T00:00:00Z"),
            Document("crawl-2024/page", "new text", "HTTPS://example.com/news#comments", "2024-05-01T00:00:00Z"),
            Document("crawl-2022/page", "older text", "https://example.com:443/news", "2022-05-01T00:00:00Z"),
            Document("crawl-2024/other", "other page", "https://example.com/news?page=2", "2021-01-01T00:00:00Z"),
            Document("books/emma", "no url"),
        };

        var verdicts = Run(new UrlDeduplicator(), documents);

        Assert.Equal(["crawl-2022/page", "crawl-2023/page"], Dropped(verdicts));
        var drop = Assert.IsType<StageVerdict.Drop>(verdicts["crawl-2023/page"]);
        Assert.Equal(UrlDeduplicator.DuplicateReason, drop.Reason);
        Assert.Contains("crawl-2024/page", drop.Detail);
    }

    [Fact]
    public void Equal_timestamps_keep_the_smallest_id_and_a_missing_timestamp_counts_as_oldest()
    {
        var documents = new[]
        {
            Document("b", "x", "https://example.com/a", "2024-01-01T00:00:00Z"),
            Document("a", "x", "https://example.com/a", "2024-01-01T00:00:00Z"),
            Document("0-undated", "x", "https://example.com/a"),
        };

        Assert.Equal(["0-undated", "b"], Dropped(Run(new UrlDeduplicator(), documents)));
    }

    [Fact]
    public void Ignore_query_option_merges_query_variants()
    {
        var documents = new[]
        {
            Document("a", "x", "https://example.com/a?utm_source=feed", "2024-01-01T00:00:00Z"),
            Document("b", "x", "https://example.com/a?utm_source=mail", "2024-02-01T00:00:00Z"),
        };

        Assert.Empty(Dropped(Run(new UrlDeduplicator(), documents)));
        Assert.Equal(["a"], Dropped(Run(new UrlDeduplicator(new UrlDedupOptions { IgnoreQuery = true }), documents)));
    }

    [Fact]
    public void Result_is_the_same_when_observed_in_parallel_in_any_order()
    {
        var documents = Enumerable.Range(0, 400)
            .Select(i => Document($"d/{i:D3}", $"text {i}", $"https://example.com/page/{i % 37}", $"2024-01-{1 + i % 5:D2}T00:00:00Z"))
            .ToList();
        var sequential = Run(new UrlDeduplicator(), documents);

        var parallel = Run(new UrlDeduplicator(), documents.OrderBy(_ => Random.Shared.Next()).ToList(), parallel: true);

        Assert.Equal(400 - 37, Dropped(sequential).Length);
        Assert.Equal(sequential.OrderBy(v => v.Key).Select(v => (v.Key, Describe(v.Value))),
                     parallel.OrderBy(v => v.Key).Select(v => (v.Key, Describe(v.Value))));
    }
}
