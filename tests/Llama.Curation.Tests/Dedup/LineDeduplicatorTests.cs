using Llama.Curation.Dedup;
using Llama.Curation.Documents;
using Llama.Curation.Stages;
using static Llama.Curation.Tests.Dedup.CorpusStageRun;

namespace Llama.Curation.Tests.Dedup;

public class LineDeduplicatorTests
{
    private const string Footer = "Copyright 2024 Example Media. All rights reserved.";
    private const string SharedQuote = "To be, or not to be, that is the question.";

    // Ten articles with the same footer; the first three also quote the same line.
    private static List<CurationDocument> Articles() => Enumerable.Range(0, 10)
        .Select(i => Document($"news/{i}", string.Join('\n',
            $"Headline number {i}",
            "",
            $"Body paragraph {i} says something of its own.",
            i < 3 ? SharedQuote : $"Another line only article {i} has.",
            "",
            i % 2 == 0 ? Footer : $"  {Footer.ToUpperInvariant()} "))) // case and spacing do not hide it
        .ToList();

    [Fact]
    public void Defaults_follow_the_paper_more_than_6_per_bucket()
    {
        var options = new LineDedupOptions();
        Assert.Equal((6, 10_000, 1), (options.MaxDocumentsPerLine, options.DocumentsPerBucket, options.MinLineChars));
    }

    [Fact]
    public void Footer_in_ten_documents_is_removed_and_a_line_in_three_is_kept()
    {
        var verdicts = Run(new LineDeduplicator(), Articles());

        var kept = Assert.IsType<StageVerdict.Keep>(verdicts["news/0"]).Document;
        Assert.Equal($"Headline number 0\n\nBody paragraph 0 says something of its own.\n{SharedQuote}", kept.Text);
        Assert.Equal("1", kept.Tags[LineDeduplicator.RemovedLinesTag]);
        Assert.All(verdicts.Values, v => Assert.DoesNotContain("rights reserved", Assert.IsType<StageVerdict.Keep>(v).Document.Text, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Document_with_only_frequent_lines_is_dropped_as_empty()
    {
        var documents = Articles();
        documents.Add(Document("news/footer-only", $"{Footer}\n\n{Footer}"));

        var verdicts = Run(new LineDeduplicator(), documents);

        var drop = Assert.IsType<StageVerdict.Drop>(verdicts["news/footer-only"]);
        Assert.Equal(LineDeduplicator.EmptyReason, drop.Reason);
    }

    [Fact]
    public void A_line_repeated_inside_one_document_counts_once()
    {
        var documents = new[] { Document("a", string.Join('\n', Enumerable.Repeat("Chorus line of the song.", 20))) };

        var verdicts = Run(new LineDeduplicator(), documents);

        Assert.Same(documents[0], Assert.IsType<StageVerdict.Keep>(verdicts["a"]).Document);
    }

    [Fact]
    public void Small_buckets_count_separately_so_a_footer_spread_over_them_stays()
    {
        var stage = new LineDeduplicator(new LineDedupOptions { DocumentsPerBucket = 2 });

        var verdicts = Run(stage, Articles());

        Assert.Equal(5, stage.BucketCount);
        Assert.All(verdicts.Values, v => Assert.Contains("rights reserved", Assert.IsType<StageVerdict.Keep>(v).Document.Text, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Result_is_the_same_when_observed_in_parallel_in_any_order()
    {
        var documents = Enumerable.Range(0, 300)
            .Select(i => Document($"d/{i:D3}", $"Line {i % 7} shared by a seventh\nUnique line {i}\nFooter {i % 40}"))
            .ToList();
        var sequential = Run(new LineDeduplicator(), documents);

        var parallel = Run(new LineDeduplicator(), documents.OrderBy(_ => Random.Shared.Next()).ToList(), parallel: true);

        Assert.Equal("keep|Unique line 0|line_dedup.removed_lines=2", Describe(sequential["d/000"])); // 43 and 8 copies > 6
        Assert.Equal(sequential.OrderBy(v => v.Key).Select(v => (v.Key, Describe(v.Value))),
                     parallel.OrderBy(v => v.Key).Select(v => (v.Key, Describe(v.Value))));
    }
}
