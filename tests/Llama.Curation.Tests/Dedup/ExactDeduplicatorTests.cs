using Llama.Curation.Dedup;
using Llama.Curation.Stages;
using static Llama.Curation.Tests.Dedup.CorpusStageRun;

namespace Llama.Curation.Tests.Dedup;

public class ExactDeduplicatorTests
{
    [Fact]
    public void Copies_differing_only_in_whitespace_case_and_unicode_form_are_dropped_keeping_the_smallest_id()
    {
        var documents = new[]
        {
            Document("c", "  THE Café  is\topen.\n\nCome in! "),
            Document("b", "the cafe\u0301 is open. come in!"), // e + combining acute: NFKC makes it é
            Document("a", "The Café is open.\nCome in!"),
            Document("d", "The Café is closed. Come in!"),
        };

        var verdicts = Run(new ExactDeduplicator(), documents);

        Assert.Equal(["b", "c"], Dropped(verdicts));
        var drop = Assert.IsType<StageVerdict.Drop>(verdicts["c"]);
        Assert.Equal((ExactDeduplicator.DuplicateReason, "duplicate of a"), (drop.Reason, drop.Detail));
    }

    [Fact]
    public void Without_normalization_only_identical_texts_are_copies()
    {
        var documents = new[] { Document("a", "Same text"), Document("b", "same text"), Document("c", "Same text") };

        Assert.Equal(["c"], Dropped(Run(new ExactDeduplicator(new ExactDedupOptions { NormalizeText = false }), documents)));
    }

    [Fact]
    public void Result_is_the_same_when_observed_in_parallel_in_any_order()
    {
        var documents = Enumerable.Range(0, 500).Select(i => Document($"d/{i:D3}", $"Text number {i % 50}")).ToList();
        var sequential = Run(new ExactDeduplicator(), documents);

        var parallel = Run(new ExactDeduplicator(), documents.OrderBy(_ => Random.Shared.Next()).ToList(), parallel: true);

        Assert.Equal(450, Dropped(sequential).Length);
        Assert.Equal(sequential.OrderBy(v => v.Key).Select(v => (v.Key, Describe(v.Value))),
                     parallel.OrderBy(v => v.Key).Select(v => (v.Key, Describe(v.Value))));
    }

    [Fact]
    public void Observe_after_seal_is_refused()
    {
        var stage = new ExactDeduplicator();
        stage.Seal();

        Assert.Throws<InvalidOperationException>(() => stage.Observe(Document("a", "x")));
    }
}
