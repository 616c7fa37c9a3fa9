using Llama.Curation.Documents;
using Llama.Curation.Domains;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Domains;

public sealed class DomainMixerTests
{
    /// <summary>Documents of 100 characters: general 4,000, math 700, code 1,000, multilingual 200.</summary>
    private static IReadOnlyList<CurationDocument> Corpus(int general = 4000, int math = 700, int code = 1000, int multilingual = 200) =>
        new[] { (DomainNames.General, general), (DomainNames.Math, math), (DomainNames.Code, code), (DomainNames.Multilingual, multilingual) }
            .SelectMany(d => Enumerable.Range(0, d.Item2).Select(i =>
                new CurationDocument($"{d.Item1}/{i}", new string('x', 100), "test") { Domain = d.Item1 }))
            .ToArray();

    private static (MixReport Report, IReadOnlyList<StageVerdict> Verdicts) Mix(IReadOnlyList<CurationDocument> corpus, DomainMixerOptions? options = null)
    {
        var mixer = new DomainMixer(options);
        Parallel.ForEach(corpus, mixer.Observe);
        mixer.Seal();
        return (mixer.Report!, corpus.Select(mixer.Process).ToArray());
    }

    private static Dictionary<string, long> KeptCharacters(IReadOnlyList<CurationDocument> corpus, IReadOnlyList<StageVerdict> verdicts) =>
        corpus.Zip(verdicts)
            .Where(p => p.Second is StageVerdict.Keep)
            .GroupBy(p => p.First.Domain!)
            .ToDictionary(g => g.Key, g => g.Sum(p =>
            {
                var kept = ((StageVerdict.Keep)p.Second).Document;
                return (long)kept.Text.Length * (kept.Tags.TryGetValue(DomainMixer.RepeatTag, out var k) ? int.Parse(k) : 1);
            }));

    [Fact]
    public void Without_repeats_the_scarcest_domain_is_kept_whole_and_the_others_match_the_paper_mix()
    {
        var corpus = Corpus();
        var (report, verdicts) = Mix(corpus);

        var kept = KeptCharacters(corpus, verdicts);
        var total = (double)kept.Values.Sum();
        // Multilingual limits the mix (20,000 chars / 8% = 250,000 total; math would allow 280,000, code 588,000,
        // general 800,000): all of it is kept and the others are downsampled to their shares of 250,000.
        Assert.Equal(20_000, kept[DomainNames.Multilingual]);
        Assert.Equal(0.50, kept[DomainNames.General] / total, 0.002);
        Assert.Equal(0.25, kept[DomainNames.Math] / total, 0.002);
        Assert.Equal(0.17, kept[DomainNames.Code] / total, 0.002);
        Assert.Equal(0.08, kept[DomainNames.Multilingual] / total, 0.002);
        Assert.All(report.Domains, d => Assert.Equal(d.Target, d.Achieved, 0.002));
        Assert.DoesNotContain(verdicts, v => v is StageVerdict.Keep keep && keep.Document.Tags.ContainsKey(DomainMixer.RepeatTag));
    }

    [Fact]
    public void Dropped_documents_say_they_were_downsampled()
    {
        var (_, verdicts) = Mix(Corpus());

        var drops = verdicts.OfType<StageVerdict.Drop>().ToArray();
        Assert.NotEmpty(drops);
        Assert.All(drops, d => Assert.Equal(DomainMixer.DownsampledReason, d.Reason));
    }

    [Fact]
    public void The_same_corpus_in_another_order_gives_the_same_decisions()
    {
        var corpus = Corpus();
        var (_, first) = Mix(corpus);
        var reversed = corpus.Reverse().ToArray();
        var (_, second) = Mix(reversed);

        var byIdFirst = corpus.Zip(first).ToDictionary(p => p.First.Id, p => p.Second is StageVerdict.Keep);
        var byIdSecond = reversed.Zip(second).ToDictionary(p => p.First.Id, p => p.Second is StageVerdict.Keep);
        Assert.Equal(byIdFirst, byIdSecond);
    }

    [Fact]
    public void A_different_seed_draws_a_different_sample_of_the_same_size()
    {
        var corpus = Corpus();
        var (_, seed0) = Mix(corpus);
        var (_, seed1) = Mix(corpus, new DomainMixerOptions { Seed = 1 });

        Assert.Equal(seed0.Count(v => v is StageVerdict.Keep), seed1.Count(v => v is StageVerdict.Keep));
        Assert.NotEqual(seed0.Select(v => v is StageVerdict.Keep), seed1.Select(v => v is StageVerdict.Keep));
    }

    [Fact]
    public void An_empty_domain_is_reported_and_its_share_renormalised_over_the_others()
    {
        var corpus = Corpus(multilingual: 0);
        var (report, verdicts) = Mix(corpus);

        Assert.Equal([DomainNames.Multilingual], report.EmptyDomains);
        var kept = KeptCharacters(corpus, verdicts);
        var total = (double)kept.Values.Sum();
        Assert.Equal(0.50 / 0.92, kept[DomainNames.General] / total, 0.002);
        Assert.Equal(0.25 / 0.92, kept[DomainNames.Math] / total, 0.002);
        Assert.Equal(0.17 / 0.92, kept[DomainNames.Code] / total, 0.002);
        Assert.Equal(0, report.Domains.Single(d => d.Domain == DomainNames.Multilingual).Target);
    }

    [Fact]
    public void With_repeats_scarce_domains_repeat_up_to_the_limit_as_tags_and_the_mix_is_met()
    {
        var corpus = Corpus();
        var (report, verdicts) = Mix(corpus, new DomainMixerOptions { AllowRepeat = true, MaximumRepeats = 4 });

        var kept = KeptCharacters(corpus, verdicts);
        var total = (double)kept.Values.Sum();
        // Four copies of multilingual (80,000 chars for 8%) allow a 1,000,000 total, the least of the four domains' limits:
        // general then needs 500,000 from 400,000 (1.25 copies), math 250,000 from 70,000 (3.57), code 170,000 from 100,000.
        Assert.InRange(kept.Values.Sum(), 1_000_000, 1_000_400); // each domain overshoots by at most one document
        Assert.Equal(0.08, kept[DomainNames.Multilingual] / total, 0.002);
        Assert.Equal(0.50, kept[DomainNames.General] / total, 0.002);
        Assert.Equal(0.25, kept[DomainNames.Math] / total, 0.002);
        Assert.All(verdicts.OfType<StageVerdict.Keep>(), v =>
        {
            if (v.Document.Tags.TryGetValue(DomainMixer.RepeatTag, out var copies)) Assert.InRange(int.Parse(copies), 2, 4);
        });
        Assert.True(report.CharactersAfter > 250_000, $"repeats should grow the mix beyond the no-repeat 250,000: {report}");
        Assert.Equal(report.CharactersAfter, kept.Values.Sum());
    }

    [Fact]
    public void Documents_of_domains_without_a_target_pass_through()
    {
        var mixer = new DomainMixer(new DomainMixerOptions { Targets = new Dictionary<string, double> { [DomainNames.General] = 1 } });
        var other = new CurationDocument("x", "text", "test") { Domain = "legal" };
        mixer.Observe(other);
        mixer.Seal();

        Assert.IsType<StageVerdict.Keep>(mixer.Process(other));
    }

    [Fact]
    public void Process_before_seal_is_an_error()
    {
        Assert.Throws<InvalidOperationException>(() => new DomainMixer().Process(new CurationDocument("x", "t", "s")));
    }
}
