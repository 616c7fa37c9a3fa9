using System.Text.Json;
using Llama.Curation.Documents;
using Llama.Curation.Output;
using Llama.Curation.Pipeline;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Pipeline;

public sealed class CurationPipelineTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "llama-curation-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
    }

    private static List<CurationDocument> Corpus()
    {
        var documents = new List<CurationDocument>();
        for (int i = 0; i < 40; i++)
            documents.Add(new CurationDocument($"doc-{i:000}", $"document number {i} talks about tokens and weights and data", i % 2 == 0 ? "even" : "odd"));
        documents.Add(new CurationDocument("short-1", "too short", "odd"));
        documents.Add(new CurationDocument("copy-of-3", documents[3].Text, "copies"));
        return documents;
    }

    private CurationRunOptions Options => new() { Output = _output, DocumentsPerShard = 7, Parallelism = 2, TokenizerVocabSize = 300 };

    [Fact]
    public async Task Runs_every_stage_in_order_and_writes_tokens_documents_and_a_report()
    {
        var skips = new[] { new SkippedInput("in/bad.bin", "in", "ingest.unsupported_format", ".bin") };
        var pipeline = new CurationPipeline(new ListSource(Corpus(), skips), [new MinimumWordsStage(3), new SameTextStage(), new ShoutStage()], Options);
        var report = await pipeline.RunAsync(["in"]);

        Assert.Equal(42, report.Ingest.DocumentsIn);
        Assert.Equal(1, report.Ingest.DroppedByReason["ingest.unsupported_format"]);
        Assert.Equal(["min-words", "same-text", "shout"], report.Stages.Select(s => s.Stage));
        Assert.Equal(1, report.Stages[0].DroppedByReason["min_words.too_short"]);
        Assert.Equal(1, report.Stages[1].DroppedByReason["same_text.duplicate"]);
        // The smaller id ("copy-of-3" < "doc-003" ordinally) is the one kept.
        Assert.Equal("doc-003", report.Stages[1].Examples["same_text.duplicate"][0].Id);
        Assert.Equal(40, report.Stages[2].DocumentsModified);
        Assert.Equal(40, report.Output.Documents);

        var rows = new List<TokenizedDocumentRow>();
        foreach (var file in report.Output.TokenFiles) rows.AddRange(await ParquetFiles.ReadAsync<TokenizedDocumentRow>(Path.Combine(_output, file.Path)));
        Assert.Equal(40, rows.Count);
        var tokenizer = Llama.Core.Tokenization.Llama3Tokenizer.FromDirectory(report.Output.TokenizerPath);
        var row = rows.Single(r => r.Id == "copy-of-3");
        Assert.Equal(tokenizer.BosId, row.Tokens[0]);
        Assert.Equal(tokenizer.EosId, row.Tokens[^1]);
        Assert.Equal("DOCUMENT NUMBER 3 TALKS ABOUT TOKENS AND WEIGHTS AND DATA", tokenizer.Decode(row.Tokens[1..^1]));
        Assert.Equal(row.Tokens.Length, row.NumTokens);

        Assert.True(File.Exists(Path.Combine(_output, "report.md")));
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, "report.json")));
        Assert.Equal(40, json.RootElement.GetProperty("Output").GetProperty("Documents").GetInt64());
        Assert.False(Directory.Exists(Path.Combine(_output, "work")));
    }

    [Fact]
    public async Task A_crashed_run_resumes_without_redoing_finished_shards_and_counts_everything()
    {
        var corpus = Corpus();
        var crashing = new MinimumWordsStage(3, failOnceOn: "doc-030");
        var first = new CurationPipeline(new ListSource(corpus), [new SameTextStage(), crashing], Options with { Parallelism = 1 });
        await Assert.ThrowsAnyAsync<Exception>(() => first.RunAsync(["in"]));
        int callsBeforeCrash = crashing.Calls.Count;
        Assert.InRange(callsBeforeCrash, 1, 40);

        var resumed = new CurationPipeline(new ListSource(corpus), [new SameTextStage(), crashing], Options with { Parallelism = 1 });
        var report = await resumed.RunAsync(["in"]);

        // Shards finished before the crash were not processed again.
        Assert.Contains(crashing.Calls, c => c.Value == 1 && string.CompareOrdinal(c.Key, "doc-030") < 0);
        Assert.Equal(41, report.Stages[1].DocumentsIn);   // 42 in, 1 duplicate removed before
        Assert.Equal(1, report.Stages[1].DroppedByReason["min_words.too_short"]);
        Assert.Equal(40, report.Output.Documents);
    }

    [Fact]
    public async Task Duplicate_ids_from_two_inputs_are_skipped_with_a_reason()
    {
        var corpus = Corpus();
        corpus.Add(corpus[0] with { Text = "a different text under the same id" });
        var report = await new CurationPipeline(new ListSource(corpus), [new MinimumWordsStage(1)], Options).RunAsync(["in"]);
        Assert.Equal(1, report.Ingest.DroppedByReason["ingest.duplicate_id"]);
        Assert.Equal(42, report.Output.Documents);
    }
}
