using static Llama.Curation.Tests.Filters.SampleDocuments;
using Llama.Core.Tokenization;
using Llama.Curation.Documents;
using Llama.Curation.Filters;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Filters;

public class TokenDistributionFilterTests
{
    private static readonly string[] EnglishSentences =
    [
        "The village market opens early on Saturday mornings.",
        "Farmers bring vegetables, cheese and fresh bread from the hills.",
        "Most of the stalls are run by families who have sold there for years.",
        "In the afternoon the square fills with children and their parents.",
        "A small band often plays near the fountain until the evening.",
        "The town council has decided to repair the old stone bridge.",
        "Work on the bridge will start in the spring and last several months.",
        "During that time the buses will take a longer road around the river.",
        "The library has added a new reading room for students.",
        "It stays open late during the examination period in June.",
        "Visitors can borrow books, maps and recordings of local music.",
        "The museum next door shows paintings of the coast from the last century.",
        "Many of the paintings were given to the town by a retired teacher.",
        "She collected them over forty years and wanted everyone to see them.",
        "The weather this week has been cold but mostly dry.",
        "Forecasters expect rain to return at the end of the month.",
        "Gardeners are advised to protect young plants from the frost.",
        "The school choir will give a concert in the church on Friday.",
        "Tickets are free, but the organisers ask for a small donation.",
        "The money will help pay for new instruments for the music room.",
    ];

    private const string Russian =
        "Старая крепость стоит на высоком берегу реки уже много веков. Каждое лето сюда приезжают туристы из разных " +
        "городов, чтобы увидеть толстые каменные стены и узкие башни. Местные жители рассказывают легенды о рыцарях и " +
        "тайных подземных ходах. В музее крепости можно увидеть старинное оружие, монеты и предметы быта. Экскурсоводы " +
        "говорят, что раньше здесь жили сотни людей.";

    // Eight sentences of the pool, in an order drawn with a fixed seed per document.
    private static CurationDocument English(int i)
    {
        var random = new Random(i);
        var sentences = EnglishSentences.OrderBy(_ => random.Next()).Take(8);
        return new CurationDocument($"en/{i}", string.Join(' ', sentences), "test");
    }

    private static IReadOnlyList<CurationDocument> EnglishCorpus(int count) => Enumerable.Range(0, count).Select(English).ToList();

    private static TokenDistributionFilter Sealed(IEnumerable<CurationDocument> corpus, TokenDistributionFilterOptions? options = null, Llama3Tokenizer? tokenizer = null)
    {
        var filter = new TokenDistributionFilter(options, tokenizer);
        foreach (var document in corpus) filter.Observe(document);
        filter.Seal();
        return filter;
    }

    [Fact]
    public void A_russian_page_in_an_english_corpus_is_an_outlier_and_the_english_pages_are_kept()
    {
        var russian = new CurationDocument("ru/0", Russian, "test");
        var corpus = EnglishCorpus(40).Append(russian).ToList();
        var filter = Sealed(corpus);

        AssertDropped("kl.outlier", filter.Process(russian));
        Assert.All(corpus.Take(40), d => Kept(filter.Process(d)));
    }

    [Fact]
    public void An_english_corpus_without_outliers_loses_nothing()
    {
        var corpus = EnglishCorpus(40);
        var filter = Sealed(corpus);
        Assert.All(corpus, d => Kept(filter.Process(d)));
    }

    [Fact]
    public void With_the_byte_level_llama3_tokenizer_a_russian_page_is_an_outlier()
    {
        var bytes = Llama3Tokenizer.FromRanks(Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList());
        var russian = new CurationDocument("ru/0", Russian, "test");
        var corpus = EnglishCorpus(40).Append(russian).ToList();
        var filter = Sealed(corpus, tokenizer: bytes);

        AssertDropped("kl.outlier", filter.Process(russian));
        Kept(filter.Process(corpus[0]));
    }

    [Fact]
    public void An_absolute_threshold_replaces_the_corpus_percentile()
    {
        var russian = new CurationDocument("ru/0", Russian, "test");
        var filter = Sealed(EnglishCorpus(40).Append(russian), new TokenDistributionFilterOptions { AbsoluteThreshold = 1000 });
        Assert.Equal(1000, filter.Threshold);
        Kept(filter.Process(russian));
    }

    [Fact]
    public void Threshold_and_divergences_do_not_depend_on_arrival_order_or_threads()
    {
        var corpus = EnglishCorpus(40).Append(new CurationDocument("ru/0", Russian, "test")).ToList();
        var options = new TokenDistributionFilterOptions { SampleSize = 16 };
        var inOrder = Sealed(corpus, options);
        var shuffled = new TokenDistributionFilter(options);
        Parallel.ForEach(Enumerable.Reverse(corpus), shuffled.Observe);
        shuffled.Seal();

        Assert.Equal(inOrder.Threshold, shuffled.Threshold);
        Assert.Equal(inOrder.CorpusTokens, shuffled.CorpusTokens);
        Assert.Equal(corpus.Select(d => Tag(inOrder.Process(d))), corpus.Select(d => Tag(shuffled.Process(d))));
    }

    [Fact]
    public void Processing_before_seal_is_an_error()
    {
        var filter = new TokenDistributionFilter();
        filter.Observe(English(0));
        Assert.Throws<InvalidOperationException>(() => filter.Process(English(0)));
    }

    private static string Tag(StageVerdict verdict) =>
        verdict is StageVerdict.Keep keep ? keep.Document.Tags["kl.divergence"] : ((StageVerdict.Drop)verdict).Reason;
}
