using Llama.Curation.Dedup;
using Llama.Curation.Documents;
using Llama.Curation.Stages;
using static Llama.Curation.Tests.Dedup.CorpusStageRun;

namespace Llama.Curation.Tests.Dedup;

public class MinHashDeduplicatorTests
{
    private static CurationDocument Doc(string id, string[] words) => Document(id, SyntheticText.Join(words));

    [Fact]
    public void Defaults_are_datatrove_fineweb_5_grams_in_14_bands_of_8()
    {
        var options = new MinHashOptions();
        Assert.Equal((ShingleKind.Words, 5, 14, 8, 112), (options.Shingles, options.ShingleSize, options.Bands, options.RowsPerBand, options.HashCount));
        var nemo = MinHashOptions.NeMoCharacters;
        Assert.Equal((ShingleKind.Characters, 24, 20, 13), (nemo.Shingles, nemo.ShingleSize, nemo.Bands, nemo.RowsPerBand));
    }

    [Fact]
    public void Near_duplicate_with_a_few_words_changed_is_dropped_pointing_at_the_kept_copy()
    {
        var original = SyntheticText.Words(seed: 1, count: 300);
        var documents = new[]
        {
            Doc("web/b-copy", SyntheticText.Edit(original, [40, 150, 260], seed: 7)),
            Doc("web/a-original", original),
            Doc("web/c-unrelated", SyntheticText.Words(seed: 2, count: 300)),
        };

        var verdicts = Run(new MinHashDeduplicator(), documents);

        Assert.Equal(["web/b-copy"], Dropped(verdicts));
        var drop = Assert.IsType<StageVerdict.Drop>(verdicts["web/b-copy"]);
        Assert.Equal(MinHashDeduplicator.NearDuplicateReason, drop.Reason);
        Assert.Contains("web/a-original", drop.Detail);
    }

    [Fact]
    public void Punctuation_case_and_digits_do_not_hide_a_copy()
    {
        var words = SyntheticText.Words(seed: 3, count: 200);
        var original = SyntheticText.Join(words) + " Call 555-0100.";
        var shouted = SyntheticText.Join(words).ToUpperInvariant().Replace(" ", ", ") + " call 555 0199!";

        var verdicts = Run(new MinHashDeduplicator(), [Document("a", original), Document("b", shouted)]);

        Assert.Equal(["b"], Dropped(verdicts));
    }

    [Fact]
    public void Chain_of_near_duplicates_is_one_cluster_even_where_the_ends_are_not_candidates()
    {
        // Each step rewrites 4 new words (their 5-gram windows never overlap): neighbours share ~87% of 5-grams,
        // the ends, 24 words apart, ~42%.
        var versions = new List<string[]> { SyntheticText.Words(seed: 11, count: 300) };
        for (var step = 1; step <= 6; step++)
            versions.Add(SyntheticText.Edit(versions[^1], Enumerable.Range(0, 4).Select(k => 7 + 70 * k + 8 * step), seed: step));
        var documents = versions.Select((words, i) => Doc($"chain/{i}", words)).ToArray();

        // The premise: the two ends are neither LSH candidates nor similar enough to be linked directly.
        var options = new MinHashOptions();
        var signatures = new MinHashSignatures(options);
        var first = signatures.Compute(documents[0].Text)!;
        var last = signatures.Compute(documents[^1].Text)!;
        Assert.DoesNotContain(Enumerable.Range(0, options.Bands), band => signatures.BandKey(first, band) == signatures.BandKey(last, band));
        Assert.True(MinHashSignatures.EstimatedJaccard(first, last) < options.MinEstimatedJaccard);

        var stage = new MinHashDeduplicator(options);
        var verdicts = Run(stage, documents);

        Assert.Equal(["chain/1", "chain/2", "chain/3", "chain/4", "chain/5", "chain/6"], Dropped(verdicts));
        Assert.All(verdicts.Values.OfType<StageVerdict.Drop>(), drop => Assert.Equal("near-duplicate of chain/0", drop.Detail));
        Assert.Equal(1, stage.ClusterCount);
    }

    [Fact]
    public void Distinct_documents_sharing_a_license_header_and_footer_are_not_merged()
    {
        var header = "Licensed under the Apache License, Version 2.0 (the \"License\"); you may not use this file except in compliance with the License. You may obtain a copy of the License at http://www.apache.org/licenses/LICENSE-2.0";
        var footer = "Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on an \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.";
        var documents = Enumerable.Range(0, 10)
            .Select(i => Document($"code/{i}", $"{header}\n\n{SyntheticText.Join(SyntheticText.Words(seed: 100 + i, count: 150))}\n\n{footer}"))
            .ToArray();

        var verdicts = Run(new MinHashDeduplicator(), documents);

        Assert.Empty(Dropped(verdicts));
    }

    [Fact]
    public void Character_shingles_nemo_style_catch_a_near_duplicate_too()
    {
        var original = SyntheticText.Words(seed: 21, count: 300);
        var documents = new[]
        {
            Doc("a", original),
            Doc("b", SyntheticText.Edit(original, [100, 200], seed: 5)),
            Doc("c", SyntheticText.Words(seed: 22, count: 300)),
        };

        var verdicts = Run(new MinHashDeduplicator(MinHashOptions.NeMoCharacters), documents);

        Assert.Equal(["b"], Dropped(verdicts));
    }

    [Fact]
    public void Signature_agreement_estimates_jaccard_similarity()
    {
        // 400 shared 5-grams of 800 in the union → Jaccard 0.5 (each text: 404 words = 400 shingles... plus its own 200).
        var shared = SyntheticText.Words(seed: 31, count: 404);
        var a = SyntheticText.Join([.. shared, "stop", .. SyntheticText.Words(seed: 32, count: 200)]);
        var b = SyntheticText.Join([.. shared, "halt", .. SyntheticText.Words(seed: 33, count: 200)]);
        var signatures = new MinHashSignatures(new MinHashOptions { Bands = 64, RowsPerBand = 8 }); // 512 hashes: σ ≈ 0.022

        var estimate = MinHashSignatures.EstimatedJaccard(signatures.Compute(a)!, signatures.Compute(b)!);

        // True Jaccard: 400 shared / (400 + 2 × 204) ≈ 0.495.
        Assert.InRange(estimate, 0.42, 0.57);
    }

    [Fact]
    public void Result_is_the_same_when_observed_in_parallel_in_any_order()
    {
        var documents = new List<CurationDocument>();
        for (var cluster = 0; cluster < 20; cluster++)
        {
            var original = SyntheticText.Words(seed: 1000 + cluster, count: 200);
            for (var copy = 0; copy < 4; copy++)
                documents.Add(Doc($"d/{cluster:D2}-{copy}", copy == 0 ? original : SyntheticText.Edit(original, [20 * copy, 100 + 20 * copy], seed: copy)));
        }
        var sequential = Run(new MinHashDeduplicator(), documents);
        Assert.Equal(60, Dropped(sequential).Length); // three copies of each of the 20 originals

        for (var trial = 0; trial < 5; trial++)
        {
            var shuffled = documents.OrderBy(_ => Random.Shared.Next()).ToList();
            var parallel = Run(new MinHashDeduplicator(), shuffled, parallel: true);
            Assert.Equal(sequential.OrderBy(v => v.Key).Select(v => (v.Key, Describe(v.Value))),
                         parallel.OrderBy(v => v.Key).Select(v => (v.Key, Describe(v.Value))));
        }
    }

    [Fact]
    public void Process_before_seal_is_refused()
    {
        var stage = new MinHashDeduplicator();
        stage.Observe(Document("a", "some words here"));

        Assert.Throws<InvalidOperationException>(() => stage.Process(Document("a", "some words here")));
    }
}
